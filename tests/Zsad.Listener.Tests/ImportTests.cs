using Microsoft.Extensions.Logging.Abstractions;
using Zsad.Contracts;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Listener.Import;
using Zsad.Listener.Outbox;
using Zsad.Listener.Storage;
using Zsad.Listener.Tests.Support;
using Zsad.Listener.Volumes;

namespace Zsad.Listener.Tests;

/// <summary>Batch replay paths: BraTS-style folders, DICOM folders and single NIfTI files all end as the same VolumeReady.</summary>
public sealed class ImportTests
{
    private sealed record Rig(VolumeImporter Importer, FolderBlobStore Blobs, FileOutbox Outbox);

    private static Rig Create(TempDir tmp)
    {
        var blobs = new FolderBlobStore(tmp.Sub("blobs"));
        var outbox = new FileOutbox(tmp.Sub("outbox"));
        var publisher = new VolumePublisher(blobs, outbox, NullLogger<VolumePublisher>.Instance);
        return new Rig(new VolumeImporter(publisher, NullLogger<VolumeImporter>.Instance), blobs, outbox);
    }

    [Fact]
    public async Task BratsFolderOfCasesPublishesEachCaseWithItsGroundTruth()
    {
        using var tmp = new TempDir();
        var root = tmp.Sub("brats");
        foreach (var id in new[] { "BraTS-MET-00001-000", "BraTS-MET-00002-000" })
        {
            var dir = Path.Combine(root, id);
            Directory.CreateDirectory(dir);
            var image = TestSeries.Volume(slices: 6);
            NiftiWriter.Write(image, Path.Combine(dir, id + VolumeImporter.ImageSuffix));
            var mask = image.Like<byte>();
            mask[3, 4, 2] = 1;
            if (id.EndsWith("1-000", StringComparison.Ordinal))
                NiftiWriter.Write(mask, Path.Combine(dir, id + VolumeImporter.MaskSuffix));
        }
        var rig = Create(tmp);

        var messages = await rig.Importer.ImportAsync(root);

        Assert.Equal(["BraTS-MET-00001-000", "BraTS-MET-00002-000"], messages.Select(m => m.CaseId));
        Assert.All(messages, m => Assert.Equal(VolumeOrigin.BratsCase, m.Origin));
        Assert.NotNull(messages[0].GroundTruth);
        Assert.Null(messages[1].GroundTruth);
        var truth = NiftiReader.Read(await rig.Blobs.GetAsync(messages[0].GroundTruth!)).Volume;
        Assert.Equal(1, Convert.ToInt32(((Volume<byte>)truth)[3, 4, 2]));
        Assert.Equal(2, rig.Outbox.Pending().Count);

        // Replaying the archive publishes nothing new: the ids derive from the case ids.
        var again = await rig.Importer.ImportAsync(root);
        Assert.Equal(messages.Select(m => m.VolumeId), again.Select(m => m.VolumeId));
        Assert.Equal(2, rig.Outbox.Pending().Count);
    }

    [Fact]
    public async Task DicomFolderImportCarriesTheSourceInstancesLikeNetworkIntake()
    {
        using var tmp = new TempDir();
        var files = TestSeries.Write(tmp.Sub("series"), slices: 7);
        var rig = Create(tmp);

        var message = Assert.Single(await rig.Importer.ImportAsync(Path.GetDirectoryName(files[0])!));

        Assert.Equal(VolumeOrigin.DicomFolder, message.Origin);
        Assert.Equal([24, 24, 7], message.Shape);
        Assert.Equal("MR", message.Modality);
        Assert.NotNull(message.SourceInstances);
        var volume = NiftiReader.Read(await rig.Blobs.GetAsync(message.Volume)).Volume.ToSingle();
        var expected = TestSeries.Volume(slices: 7).ToSingle();
        Assert.Equal(expected.Data, volume.Data);
        Assert.True(expected.Affine.ApproximatelyEquals(volume.Affine, 1e-4), $"{expected.Affine} vs {volume.Affine}");
    }

    [Fact]
    public async Task SingleNiftiFileImportPublishesTheSameMessageShape()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "case-17.nii.gz");
        NiftiWriter.Write(TestSeries.Volume(slices: 5), path);
        var rig = Create(tmp);

        var message = Assert.Single(await rig.Importer.ImportAsync(path));

        Assert.Equal(VolumeOrigin.Nifti, message.Origin);
        Assert.Equal("case-17", message.CaseId);
        Assert.Equal([24, 24, 5], message.Shape);
        var entry = Assert.Single(rig.Outbox.Pending());
        Assert.Equal(message.CorrelationId, entry.MessageId);
        Assert.Equal(typeof(VolumeReady).FullName, entry.MessageType);
    }
}
