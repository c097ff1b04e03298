using Zsad.Dicom.Segmentation;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Reporter.Cli;
using Zsad.Reporter.Segmentation;
using Zsad.Reporter.Tests.Support;

namespace Zsad.Reporter.Tests.Segmentation;

public class MapSegmenterTests
{
    private static MapSegmentationOptions Options(float threshold = 0.5f) => new() { Threshold = SegmentationThreshold.Fixed(threshold), DetectorName = "test-detector" };

    [Fact]
    public void BinaryFrames_EqualTheThresholdedMap_AtTheReferencedSlices()
    {
        using var c = new SegCase();
        var series = SourceSeries.Read(c.SeriesDirectory);
        var result = MapSegmenter.Create(series, c.Map, Options());
        var content = SegmentationReader.Read(result.Binary);
        var n = c.Map.SizeX * c.Map.SizeY;
        var sliceOf = series.Volume.Slices.Select((s, k) => (s.SopInstanceUid, k)).ToDictionary(p => p.SopInstanceUid, p => p.k);
        var seen = new HashSet<int>();
        foreach (var frame in content.Frames)
        {
            var k = sliceOf[frame.ReferencedSopInstanceUid];
            seen.Add(k);
            for (var p = 0; p < n; p++)
                Assert.Equal(c.Map.Data[k * n + p] >= 0.5f ? 1 : 0, frame.Values[p]);
        }
        // Omitted frames are exactly the empty slices.
        for (var k = 0; k < c.Map.SizeZ; k++)
            if (!seen.Contains(k))
                Assert.DoesNotContain(c.Map.Data.AsSpan(k * n, n).ToArray(), s => s >= 0.5f);
        Assert.Equal(c.Study.Image.SizeZ, content.ReferencedInstances.Count);
    }

    [Fact]
    public void MinimumSize_RemovesTheSpeck_AndKeepsTheLesions()
    {
        using var c = new SegCase();
        var series = SourceSeries.Read(c.SeriesDirectory);
        var plain = MapSegmenter.Create(series, c.Map, Options());
        var filtered = MapSegmenter.Create(series, c.Map, Options() with { MinimumSize = MinimumComponentSize.Voxels(2) });
        var speck = c.Map.IndexOf(c.Speck.I, c.Speck.J, c.Speck.K);
        Assert.Equal(1, plain.Mask[speck]);
        Assert.Equal(0, filtered.Mask[speck]);
        Assert.Equal(1, filtered.ComponentsRemoved);
        Assert.Equal(plain.SegmentedVoxels - 1, filtered.SegmentedVoxels);
        Assert.Equal(c.Study.LesionMask.Data.Sum(b => b), filtered.SegmentedVoxels);
        // 2 mm³ voxels (1 x 1 x 2 mm): 3 mm³ needs 2 voxels, so the speck goes here too.
        var mm = MapSegmenter.Create(series, c.Map, Options() with { MinimumSize = MinimumComponentSize.Parse("3mm3") });
        Assert.Equal(0, mm.Mask[speck]);
    }

    [Fact]
    public void Uids_AreDerivedFromSeriesDetectorAndSettings()
    {
        using var c = new SegCase();
        var series = SourceSeries.Read(c.SeriesDirectory);
        var a = MapSegmenter.Create(series, c.Map, Options());
        var b = MapSegmenter.Create(series, c.Map, Options());
        var calibrated = MapSegmenter.Create(series, c.Map, Options() with { Threshold = SegmentationThreshold.Calibrated() });
        var other = MapSegmenter.Create(series, c.Map, Options(0.6f));
        var otherDetector = MapSegmenter.Create(series, c.Map, Options() with { DetectorName = "another" });
        string Sop(MapSegmentationResult r) => r.Binary.GetRequiredString(DicomTags.SOPInstanceUID);
        string Series(MapSegmentationResult r) => r.Binary.GetRequiredString(DicomTags.SeriesInstanceUID);
        Assert.Equal(Sop(a), Sop(b));
        Assert.Equal(Series(a), Series(b));
        Assert.Equal(Sop(a), Sop(calibrated));
        Assert.NotEqual(Series(a), Series(other));
        Assert.NotEqual(Series(a), Series(otherDetector));
    }

    [Fact]
    public void MapOnAnotherGrid_IsRefused_SayingHowItDiffers()
    {
        using var c = new SegCase();
        var series = SourceSeries.Read(c.SeriesDirectory);
        var a = c.Map.Affine;
        var flipped = c.Map.WithAffine(Affine.FromColumns(a.Column(0), a.Column(1), -a.Column(2), a.Transform(0, 0, c.Map.SizeZ - 1)));
        var ex = Assert.Throws<ArgumentException>(() => MapSegmenter.Create(series, flipped, Options()));
        Assert.Contains("axis k is reversed", ex.Message);
        var small = new Volume<float>(c.Map.SizeX, c.Map.SizeY, c.Map.SizeZ - 1, a);
        ex = Assert.Throws<ArgumentException>(() => MapSegmenter.Create(series, small, Options()));
        Assert.Contains($"dimensions {c.Map.SizeX}x{c.Map.SizeY}x{c.Map.SizeZ - 1}", ex.Message);
        var coarse = c.Map.WithAffine(Affine.FromColumns(a.Column(0) * 2, a.Column(1), a.Column(2), a.Origin));
        ex = Assert.Throws<ArgumentException>(() => MapSegmenter.Create(series, coarse, Options()));
        Assert.Contains("spacing along i is 2 mm", ex.Message);
    }

    [Fact]
    public void F1MaxThreshold_ComesFromTheCalibrationSet()
    {
        using var c = new SegCase();
        var pred = Directory.CreateDirectory(c.File("pred")).FullName;
        var truth = Directory.CreateDirectory(c.File("truth/s1")).FullName;
        NiftiWriter.Write(c.Map, Path.Combine(pred, "s1.nii.gz"));
        NiftiWriter.Write(c.Study.LesionMask, Path.Combine(truth, "s1-seg.nii.gz"));
        var t = SegmentationThreshold.Parse($"f1max:{pred}:{c.File("truth")}");
        // Lesion voxels score 0.9, everything else below: F1 = 1 exactly at 0.9.
        Assert.Equal(0.9f, t.Value);
        Assert.Equal("f1max", t.Source);
    }

    [Fact]
    public void SegCommand_WritesSegFractionalAndSummary_Durably()
    {
        using var c = new SegCase();
        var output = c.File("out/seg.dcm");
        var console = new StringWriter();
        var code = ReporterCommands.Seg(c.SeriesDirectory, c.MapPath, "0.5", output, fractional: true, "test-detector", "2", null, null, console);
        Assert.Equal(0, code);
        Assert.True(File.Exists(output));
        Assert.True(File.Exists(c.File("out/seg-fractional.dcm")));
        Assert.True(File.Exists(c.File("out/seg-summary.dcm")));
        Assert.Empty(Directory.GetFiles(c.File("out"), "*.tmp"));
        var seg = DicomFile.Open(output).Dataset;
        var source = DicomFile.Open(Directory.GetFiles(c.SeriesDirectory).Order().First()).Dataset;
        Assert.Equal(source.GetString(DicomTags.StudyInstanceUID), seg.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal("BINARY", seg.GetString(DicomTags.SegmentationType));
        Assert.Equal("FRACTIONAL", DicomFile.Open(c.File("out/seg-fractional.dcm")).Dataset.GetString(DicomTags.SegmentationType));
        Assert.Contains("1 removed", console.ToString());
    }
}
