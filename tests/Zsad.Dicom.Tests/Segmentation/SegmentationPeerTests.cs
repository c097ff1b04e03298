using System.Text.Json;
using Zsad.Dicom.Segmentation;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Segmentation;

/// <summary>Every SEG the writer makes, checked by real peers: dciodvfy (no Error lines), dcmdump +L (no warnings),
/// pydicom 2.3.1 in RAISE mode, and an independent numpy unpacking that must equal the masks at the referenced slices.</summary>
public class SegmentationPeerTests
{
    public static TheoryData<string> Cases => ["binary", "fractional", "binary-all-empty", "fractional-all-empty", "binary-keep-empty-frames", "binary-two-segments", "binary-multiframe-source"];

    private static (DicomDataset Seg, Func<int, string, bool[]>? Expected) Make(string name)
    {
        switch (name)
        {
            case "binary":
            {
                var d = new SegmentationTestData();
                return (d.Binary(), ExpectedMasks(d.Images, [d.Masks]));
            }
            case "fractional":
            {
                var d = new SegmentationTestData();
                return (d.Fractional(), null);
            }
            case "binary-all-empty":
            {
                var d = new SegmentationTestData(empty: true);
                return (d.Binary(), ExpectedMasks(d.Images, [d.Masks]));
            }
            case "fractional-all-empty":
            {
                var d = new SegmentationTestData(empty: true);
                return (d.Fractional(), null);
            }
            case "binary-keep-empty-frames":
            {
                var d = new SegmentationTestData();
                return (d.Binary(SegmentationTestData.Options with { OmitEmptyFrames = false }), ExpectedMasks(d.Images, [d.Masks]));
            }
            case "binary-two-segments":
            {
                var d = new SegmentationTestData();
                var second = d.Masks.Select(m => m.Select((v, i) => !v && i % 7 == 0).ToArray()).ToArray();
                var seg = SegmentationWriter.Create(SegmentationSource.FromSingleFrameImages(d.Images),
                    [Segment.Binary(SegmentationTestData.Description, d.Masks),
                     Segment.Binary(SegmentationTestData.Description with { Label = "Edema", Type = CodedConcept.LesionOfBrain }, second)],
                    SegmentationTestData.Options);
                return (seg, ExpectedMasks(d.Images, [d.Masks, second]));
            }
            case "binary-multiframe-source":
            {
                var (image, masks) = MultiFrameSource.Create();
                var seg = SegmentationWriter.Create(SegmentationSource.FromMultiFrameImage(image),
                    [Segment.Binary(SegmentationTestData.Description, masks)], SegmentationTestData.Options);
                return (seg, (segment, key) => masks[int.Parse(key.Split('#')[1], System.Globalization.CultureInfo.InvariantCulture) - 1]);
            }
            default:
                throw new ArgumentException(name);
        }
    }

    /// <summary>Expected mask per (segment number, "sopInstanceUid#frame").</summary>
    private static Func<int, string, bool[]> ExpectedMasks(DicomDataset[] images, bool[][][] segments)
    {
        var bySop = images.Select((ds, i) => (Uid: ds.GetString(DicomTags.SOPInstanceUID)!, Index: i)).ToDictionary(p => p.Uid + "#", p => p.Index);
        return (segment, key) => segments[segment - 1][bySop[key]];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Segmentation_HasNoDciodvfyErrors(string name)
    {
        var dciodvfy = Peers.Require("dciodvfy", "dicom3tools");
        using var dir = new TempDir();
        var path = SegmentationTestData.Save(Make(name).Seg, dir, name + ".dcm");
        var r = Peers.Run(dciodvfy, ["-new", path]);
        var output = r.StdOut + r.StdErr;
        var errors = output.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, $"dciodvfy ({name}):\n{output}");
        Assert.Contains("Segmentation", output);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Segmentation_DcmdumpReadsWithoutWarnings(string name)
    {
        var dcmdump = Peers.Require("dcmdump", "dcmtk");
        using var dir = new TempDir();
        var path = SegmentationTestData.Save(Make(name).Seg, dir, name + ".dcm");
        var r = Peers.Run(dcmdump, ["+L", path]).EnsureSuccess("dcmdump");
        Assert.True(r.StdErr.Trim().Length == 0, $"dcmdump complained: {r.StdErr}");
        Assert.DoesNotContain("W: ", r.StdOut);
        Assert.Contains("(0008,0016) UI =SegmentationStorage", r.StdOut);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Segmentation_PydicomUnpacksTheMasksAtTheReferencedSlices(string name)
    {
        var (seg, expected) = Make(name);
        using var dir = new TempDir();
        var path = SegmentationTestData.Save(seg, dir, name + ".dcm");
        Peers.RequirePythonModule("pydicom", "python3-pydicom");
        Peers.RequirePythonModule("numpy", "python3-numpy");
        var r = Peers.Run(Peers.Python, [ScriptPath("seg_unpack.py"), path]).EnsureSuccess($"pydicom SEG read of {name}");
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;

        var ours = SegmentationReader.Read(DicomFile.Open(path));
        var frames = root.GetProperty("frames").EnumerateArray().ToArray();
        Assert.Equal(ours.Frames.Count, frames.Length);
        Assert.Equal(ours.ReferencedInstances, root.GetProperty("referenced").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var n = ours.Rows * ours.Columns;
        for (var f = 0; f < frames.Length; f++)
        {
            var segment = frames[f].GetProperty("segment").GetInt32();
            var sop = frames[f].GetProperty("sop").GetString()!;
            var frameNumber = frames[f].GetProperty("frame").ValueKind == JsonValueKind.Null ? (int?)null : frames[f].GetProperty("frame").GetInt32();
            var theirs = new byte[n];
            foreach (var pair in frames[f].GetProperty("nonzero").EnumerateArray())
                theirs[pair[0].GetInt32()] = (byte)pair[1].GetInt32();
            Assert.Equal(ours.Frames[f].Values, theirs);
            if (expected is not null)
            {
                var mask = expected(segment, sop + "#" + frameNumber);
                Assert.Equal(mask, theirs.Select(v => v != 0).ToArray());
            }
        }
    }

    internal static string ScriptPath(string script) => Path.Combine(AppContext.BaseDirectory, "Segmentation", "Peers", script);
}
