using System.Diagnostics;
using Zsad.Dicom.Network;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Network;

/// <summary>Zsad's SCU into dcmtk storescp (TCP_NODELAY=1, -od dir +xa): everything stored, and verified by
/// reading back what storescp wrote.</summary>
public sealed class ZsadScuIntoStorescpTests
{
    private static (Process Peer, int Port) StartStorescp(string outDir, params string[] extra)
    {
        Directory.CreateDirectory(outDir);
        var port = NetworkFixtures.FreePort();
        var p = NetworkFixtures.StartPeer("storescp", ["-v", "-aet", "STORESCP", "-od", outDir, .. extra, port.ToString()]);
        NetworkFixtures.WaitForPort(port, p);
        return (p, port);
    }

    private static DicomClientOptions Client(int port, uint maxPdu = 256 * 1024)
        => new() { Host = "127.0.0.1", Port = port, CalledAE = "STORESCP", CallingAE = "ZSADSCU", MaxPduLength = maxPdu, MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(200) };

    [Fact]
    public async Task Echo_IntoStorescp_Succeeds()
    {
        using var dir = new TempDir();
        var (peer, port) = StartStorescp(dir.File("out"), "+xa");
        try
        {
            Assert.Equal(DicomStatus.Success, await new DicomClient(Client(port)).EchoAsync());
        }
        finally
        {
            NetworkFixtures.Stop(peer);
        }
    }

    [Fact]
    public async Task Store_ManyInstancesAndSegOverOneAssociation_AllStoredIdentical()
    {
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 12);
        files.Add(NetworkFixtures.WriteSegFile(dir.File("in")));
        var rle = dir.File("in/rle.dcm");
        new DicomFile(TestImages.MrImage(64, 64, 7), TransferSyntax.ExplicitVRLittleEndian).Save(rle, TransferSyntax.RLELossless);
        var deflated = dir.File("in/deflated.dcm");
        new DicomFile(TestImages.MrImage(64, 64, 8), TransferSyntax.ExplicitVRLittleEndian).Save(deflated, TransferSyntax.DeflatedExplicitVRLittleEndian);
        files.Add(rle);
        files.Add(deflated);

        var (peer, port) = StartStorescp(dir.File("out"), "+xa");
        IReadOnlyList<StoreResult> results;
        try
        {
            results = await new DicomClient(Client(port)).StoreFilesAsync([dir.File("in")]);
        }
        finally
        {
            NetworkFixtures.Stop(peer);
        }
        Assert.Equal(files.Count, results.Count);
        Assert.All(results, r => Assert.True(r.IsStored, r + "\n" + NetworkFixtures.Output(peer)));
        var stored = NetworkFixtures.ReadFolder(dir.File("out"));
        foreach (var path in files)
        {
            var sent = DicomFile.Open(path);
            var uid = sent.Dataset.GetRequiredString(DicomTags.SOPInstanceUID);
            Assert.True(stored.TryGetValue(uid, out var got), $"storescp did not write {uid}");
            NetworkFixtures.AssertSameDataset(sent.Dataset, got!.Dataset, Path.GetFileName(path));
            Assert.Equal(sent.TransferSyntax, got.TransferSyntax);
        }
        Assert.Contains(stored.Values, f => f.Dataset.GetString(DicomTags.SOPClassUID) == DicomUid.SegmentationStorage);
    }

    [Fact]
    public async Task Store_IntoImplicitOnlyStorescp_TranscodesRleAndExplicit()
    {
        using var dir = new TempDir();
        var rle = dir.File("rle.dcm");
        var rleFile = new DicomFile(TestImages.MrImage(64, 64, 11), TransferSyntax.ExplicitVRLittleEndian);
        rleFile.Save(rle, TransferSyntax.RLELossless);
        var explicitPath = NetworkFixtures.WriteMrFiles(dir.File("ex"), 1, seed: 12)[0];
        var (peer, port) = StartStorescp(dir.File("out"), "+xi");
        IReadOnlyList<StoreResult> results;
        try
        {
            results = await new DicomClient(Client(port)).StoreFilesAsync([rle, explicitPath]);
        }
        finally
        {
            NetworkFixtures.Stop(peer);
        }
        Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));
        var stored = NetworkFixtures.ReadFolder(dir.File("out"));
        Assert.All(stored.Values, f => Assert.Equal(TransferSyntax.ImplicitVRLittleEndian, f.TransferSyntax));
        var got = stored[rleFile.Dataset.GetRequiredString(DicomTags.SOPInstanceUID)];
        Assert.Equal(NetworkFixtures.Pixels(DicomFile.Open(rle)), NetworkFixtures.Pixels(got));
    }

    [Fact]
    public async Task Store_PeerMaxPdu4096_HonouredWhenSending()
    {
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 3);
        var (peer, port) = StartStorescp(dir.File("out"), "+xa", "--max-pdu", "4096");
        try
        {
            var results = await new DicomClient(Client(port)).StoreFilesAsync(files);
            Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));
        }
        finally
        {
            NetworkFixtures.Stop(peer);
        }
        Assert.Equal(3, NetworkFixtures.ReadFolder(dir.File("out")).Count);
    }
}
