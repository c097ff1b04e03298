using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Network;

/// <summary>dcmtk echoscu and storescu into Zsad's SCP: every file must arrive with the same dataset and pixels,
/// stored as Part 10 with meta from the command UIDs and the accepted transfer syntax.</summary>
public sealed class DcmtkScuIntoZsadTests
{
    [Fact]
    public async Task Echoscu_GetsSuccess()
    {
        using var dir = new TempDir();
        await using var server = NetworkFixtures.StartServer(dir.File("rx"));
        NetworkFixtures.RunPeer("echoscu", "-aec", "ZSAD", "-aet", "ECHOSCU", "127.0.0.1", server.Port.ToString()).EnsureSuccess("echoscu");
    }

    [Theory]
    [InlineData("default", new string[0])]
    [InlineData("implicit", new[] { "-xi" })]
    [InlineData("explicit", new[] { "-xe" })]
    [InlineData("deflated", new[] { "-xd" })]
    [InlineData("rle", new[] { "-xr" })]
    [InlineData("maxpdu4096", new[] { "--max-pdu", "4096" })]
    [InlineData("abort", new[] { "--abort" })]
    public async Task Storescu_EveryFileArrivesIdentical(string variant, string[] flags)
    {
        using var dir = new TempDir();
        var source = NetworkFixtures.WriteMrFiles(dir.File("src"), 5, seed: variant.Length);
        var input = dir.File("in");
        Directory.CreateDirectory(input);
        foreach (var path in source)
        {
            var target = Path.Combine(input, Path.GetFileName(path));
            switch (variant)
            {
                case "deflated":
                    NetworkFixtures.RunPeer("dcmconv", "+td", path, target).EnsureSuccess("dcmconv +td");
                    break;
                case "rle":
                    NetworkFixtures.RunPeer("dcmcrle", path, target).EnsureSuccess("dcmcrle");
                    break;
                case "implicit":
                    NetworkFixtures.RunPeer("dcmconv", "+ti", path, target).EnsureSuccess("dcmconv +ti");
                    break;
                default:
                    File.Copy(path, target);
                    break;
            }
        }
        var rx = dir.File("rx");
        await using var server = NetworkFixtures.StartServer(rx);
        NetworkFixtures.RunPeer("storescu", ["-aec", "ZSAD", "-aet", "STORESCU", "+sd", "+r", .. flags, "127.0.0.1", server.Port.ToString(), input])
            .EnsureSuccess($"storescu {string.Join(' ', flags)}");

        var received = NetworkFixtures.ReadFolder(rx);
        Assert.Equal(source.Count, received.Count);
        foreach (var path in Directory.EnumerateFiles(input))
        {
            var sent = DicomFile.Open(path);
            var uid = sent.Dataset.GetRequiredString(DicomTags.SOPInstanceUID);
            Assert.True(received.TryGetValue(uid, out var got), $"{uid} was not stored");
            NetworkFixtures.AssertSameDataset(sent.Dataset, got!.Dataset, uid);
            Assert.Equal(NetworkFixtures.Pixels(DicomFile.Open(source.First(s => Path.GetFileName(s) == Path.GetFileName(path)))), NetworkFixtures.Pixels(got));
            Assert.Equal(uid, got.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
            Assert.Equal(DicomUid.MRImageStorage, got.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID));
            Assert.Equal("STORESCU", got.FileMetaInformation.GetString(DicomTags.SourceApplicationEntityTitle));
            var expectedSyntax = variant switch
            {
                "deflated" => TransferSyntax.DeflatedExplicitVRLittleEndian,
                "rle" => TransferSyntax.RLELossless,
                "implicit" => TransferSyntax.ImplicitVRLittleEndian,
                _ => null,
            };
            if (expectedSyntax is not null)
                Assert.Equal(expectedSyntax, got.TransferSyntax);
        }
        // dcmtk itself must read what we wrote
        foreach (var file in Directory.EnumerateFiles(rx))
            NetworkFixtures.RunPeer("dcmdump", "+L", "-q", file).EnsureSuccess($"dcmdump {file}");
    }
}
