using System.Text.Json;
using Zsad.Dicom;
using Zsad.Viewer.Tests.Support;

namespace Zsad.Viewer.Tests;

/// <summary>Zsad's SEG read by @cornerstonejs/adapters, the code OHIF uses to turn a SEG into the labelmap it draws:
/// the labelmap must be Zsad's mask, slice by slice, on the right source image.</summary>
public sealed class CornerstoneAdapterTests
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public void BinarySegBecomesTheMaskSliceBySlice()
    {
        using var dir = new TempDir();
        var study = SegStudy.Create(dir.Path, "ZSAD-VIEWER-ADAPTER", seed: 7);
        var labelmap = ReadLabelmap(study.WriteBinary(dir.File("seg-binary.dcm")), study);

        AssertSegmentLabel(labelmap);
        AssertLabelmapIsMask(labelmap, study);
    }

    /// <summary>OHIF draws a FRACTIONAL SEG only when every value is 0 or MaximumFractionalValue: a probability
    /// of exactly 1 on the lesion is then the same labelmap as BINARY.</summary>
    [Fact]
    public void FractionalSegWithOnlyZeroOrMaximumBecomesTheMask()
    {
        using var dir = new TempDir();
        var study = SegStudy.Create(dir.Path, "ZSAD-VIEWER-FRACTIONAL", seed: 8);
        var labelmap = ReadLabelmap(study.WriteFractional(dir.File("seg-fractional.dcm"), inside: 1f), study);

        AssertSegmentLabel(labelmap);
        AssertLabelmapIsMask(labelmap, study);
    }

    /// <summary>A real probability map (values between 0 and the maximum) is refused by the adapter, so OHIF 3.13
    /// cannot show Zsad's continuous scores as a SEG: they stay a BINARY SEG for review (docs/viewer.md).</summary>
    [Fact]
    public void FractionalSegWithRealProbabilitiesIsRefusedByOhif()
    {
        using var dir = new TempDir();
        var study = SegStudy.Create(dir.Path, "ZSAD-VIEWER-PROBABILITY", seed: 9);
        var seg = study.WriteFractional(dir.File("seg-probability.dcm"), inside: 0.6f);

        var result = RunAdapter(seg, study);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Fractional segmentations are not yet supported", result.StdErr);
    }

    private static JsonElement ReadLabelmap(string segPath, SegStudy study)
    {
        var result = RunAdapter(segPath, study);
        Assert.True(result.ExitCode == 0, $"seg-labelmap.mjs exited {result.ExitCode}\nstderr: {result.StdErr}");
        return JsonDocument.Parse(result.StdOut).RootElement;
    }

    private static Peers.Result RunAdapter(string segPath, SegStudy study)
    {
        var viewer = ViewerPeers.RequireViewerPackages();
        return Peers.Run(ViewerPeers.Node, [Path.Combine(viewer, "checks", "seg-labelmap.mjs"), segPath, .. study.SourcePaths],
            NodeTimeout, workingDirectory: viewer);
    }

    private static void AssertSegmentLabel(JsonElement labelmap)
    {
        var segments = labelmap.GetProperty("segments").EnumerateArray().ToList();
        var segment = Assert.Single(segments);
        Assert.Equal(1, segment.GetProperty("number").GetInt32());
        Assert.Equal(SegStudy.SegmentLabel, segment.GetProperty("label").GetString());
    }

    private static void AssertLabelmapIsMask(JsonElement labelmap, SegStudy study)
    {
        var slices = labelmap.GetProperty("slices");
        var lesionSlices = 0;
        for (var k = 0; k < study.SourceImages.Count; k++)
        {
            var sop = study.SourceImages[k].GetRequiredString(DicomTags.SOPInstanceUID);
            Assert.True(slices.TryGetProperty(sop, out var pixels), $"no labelmap slice for source instance {k} ({sop})");
            var actual = new bool[study.Rows * study.Columns];
            foreach (var pixel in pixels.EnumerateArray())
            {
                Assert.Equal(1, pixel[1].GetInt32()); // the segment number: one segment
                actual[pixel[0].GetInt32()] = true;
            }
            var expected = study.Masks[k];
            var differing = Enumerable.Range(0, actual.Length).Count(i => actual[i] != expected[i]);
            Assert.True(differing == 0,
                $"slice {k}: {differing} pixels differ (mask {expected.Count(v => v)} pixels, labelmap {actual.Count(v => v)})");
            if (expected.Any(v => v))
                lesionSlices++;
        }
        Assert.True(lesionSlices > 0, "no slice carried a lesion: the comparison proved nothing");
    }
}
