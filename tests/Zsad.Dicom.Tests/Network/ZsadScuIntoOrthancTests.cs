using Zsad.Dicom.Network;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Network;

/// <summary>Zsad's SCU into a real Orthanc: MR series and SEG stored over one association, then verified
/// through Orthanc's REST API (the instances, their study, and the bytes Orthanc kept).</summary>
public sealed class ZsadScuIntoOrthancTests
{
    [Fact]
    public async Task Store_MrSeriesAndSeg_AllInOrthancUnderOneStudy()
    {
        using var orthanc = new OrthancPeer();
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 6);
        files.Add(NetworkFixtures.WriteSegFile(dir.File("in")));
        var rle = dir.File("in/rle.dcm");
        new DicomFile(TestImages.MrImage(64, 64, 21), TransferSyntax.ExplicitVRLittleEndian).Save(rle, TransferSyntax.RLELossless);
        files.Add(rle);

        var client = new DicomClient(new DicomClientOptions
        {
            Host = "127.0.0.1", Port = orthanc.DicomPort, CalledAE = orthanc.AETitle, CallingAE = "ZSAD", MaxRetries = 1,
        });
        Assert.Equal(DicomStatus.Success, await client.EchoAsync());
        var results = await client.StoreFilesAsync([dir.File("in")]);
        Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));

        var ids = await orthanc.InstanceIdsAsync();
        Assert.Equal(files.Count, ids.Count);
        var byUid = new Dictionary<string, string>();
        foreach (var id in ids)
            byUid[(await orthanc.SimplifiedTagsAsync(id))["SOPInstanceUID"].GetString()!] = id;
        foreach (var path in files)
        {
            var sent = DicomFile.Open(path);
            var uid = sent.Dataset.GetRequiredString(DicomTags.SOPInstanceUID);
            Assert.True(byUid.TryGetValue(uid, out var id), $"Orthanc has no {uid}");
            var kept = DicomFile.Read(await orthanc.FileAsync(id!));
            NetworkFixtures.AssertSameDataset(sent.Dataset, kept.Dataset, Path.GetFileName(path));
        }
        var studies = await orthanc.GetAsync("studies");
        Assert.Equal(1, studies.GetArrayLength()); // SEG and MR share the study
        var seg = files.Select(p => DicomFile.Open(p)).Single(f => f.Dataset.GetString(DicomTags.SOPClassUID) == DicomUid.SegmentationStorage);
        Assert.Contains(seg.Dataset.GetRequiredString(DicomTags.SOPInstanceUID), byUid.Keys);
    }
}
