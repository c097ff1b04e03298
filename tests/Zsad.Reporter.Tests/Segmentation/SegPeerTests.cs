using System.Text.Json;
using Zsad.Reporter.Cli;
using Zsad.Reporter.Segmentation;
using Zsad.Reporter.Tests.Support;

namespace Zsad.Reporter.Tests.Segmentation;

/// <summary>The objects `zsad seg` writes, checked by the real peers: dciodvfy -new (no Error lines) and pydicom
/// 2.3.1 in RAISE mode, whose own unpacking must equal the thresholded map at the referenced slices.</summary>
public class SegPeerTests
{
    public static TheoryData<string> Outputs => ["seg.dcm", "seg-fractional.dcm", "seg-summary.dcm"];

    private static string WriteOutputs(SegCase c, string threshold = "0.5")
    {
        var output = c.File("out/seg.dcm");
        Assert.Equal(0, ReporterCommands.Seg(c.SeriesDirectory, c.MapPath, threshold, output, fractional: true, "test-detector", null, null, null, TextWriter.Null));
        return Path.GetDirectoryName(output)!;
    }

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Output_HasNoDciodvfyErrors(string name)
    {
        var dciodvfy = Peers.Require("dciodvfy", "dicom3tools");
        using var c = new SegCase();
        var path = Path.Combine(WriteOutputs(c), name);
        var r = Peers.Run(dciodvfy, ["-new", path]);
        var output = r.StdOut + r.StdErr;
        var errors = output.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, $"dciodvfy {name}:\n{output}");
    }

    [Fact]
    public void AllEmptySeg_HasNoDciodvfyErrors()
    {
        var dciodvfy = Peers.Require("dciodvfy", "dicom3tools");
        using var c = new SegCase();
        var path = Path.Combine(WriteOutputs(c, "2"), "seg.dcm");
        var r = Peers.Run(dciodvfy, ["-new", path]);
        var output = r.StdOut + r.StdErr;
        Assert.True(!output.Split('\n').Any(l => l.StartsWith("Error", StringComparison.Ordinal)), output);
    }

    [Theory]
    [InlineData("seg.dcm")]
    [InlineData("seg-fractional.dcm")]
    public void Pydicom_UnpacksTheMap_AtTheReferencedSlices(string name)
    {
        Peers.RequirePythonModule("pydicom", "python3-pydicom");
        Peers.RequirePythonModule("numpy", "python3-numpy");
        using var c = new SegCase();
        var path = Path.Combine(WriteOutputs(c), name);
        var r = Peers.Run(Peers.Python, [Path.Combine(AppContext.BaseDirectory, "Peers", "seg_unpack.py"), path]).EnsureSuccess("pydicom read of " + name);
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        var series = SourceSeries.Read(c.SeriesDirectory);
        var sliceOf = series.Volume.Slices.Select((s, k) => (s.SopInstanceUid, k)).ToDictionary(p => p.SopInstanceUid, p => p.k);
        Assert.Equal(series.Volume.Slices.Select(s => s.SopInstanceUid).Order(), root.GetProperty("referenced").EnumerateArray().Select(e => e.GetString()!).Order());
        var n = c.Map.SizeX * c.Map.SizeY;
        var max = root.GetProperty("max").GetInt32();
        var covered = new HashSet<int>();
        foreach (var frame in root.GetProperty("frames").EnumerateArray())
        {
            var k = sliceOf[frame.GetProperty("sop").GetString()!];
            covered.Add(k);
            var values = new int[n];
            foreach (var pair in frame.GetProperty("nonzero").EnumerateArray())
                values[pair[0].GetInt32()] = pair[1].GetInt32();
            for (var p = 0; p < n; p++)
            {
                var score = c.Map.Data[k * n + p];
                var expected = name == "seg.dcm" ? (score >= 0.5f ? 1 : 0) : (int)Math.Round(Math.Clamp(score, 0, 1) * max, MidpointRounding.AwayFromZero);
                Assert.Equal(expected, values[p]);
            }
        }
        if (name == "seg.dcm")
            for (var k = 0; k < c.Map.SizeZ; k++)
                if (!covered.Contains(k))
                    Assert.DoesNotContain(c.Map.Data.AsSpan(k * n, n).ToArray(), s => s >= 0.5f);
    }
}
