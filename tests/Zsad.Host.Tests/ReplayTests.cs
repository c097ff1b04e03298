using Zsad.Imaging.Nifti;
using Zsad.Imaging.Synthetic;

namespace Zsad.Host.Tests;

/// <summary>`zsad replay` runs an archive through the pipeline: per case a map and a mask, the evaluation report when
/// there is truth, progress as it goes, and a second run resumes past what is done.</summary>
public class ReplayTests
{
    private static Peers.Result Replay(string input, string output)
        => Peers.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "zsad.dll"), "replay", "--input", input, "--out", output,
            "--detector", "intensity-baseline", "--normals", "phantom"], TimeSpan.FromSeconds(120));

    [Fact]
    public void BratsFolder_WritesMapsMasksAndReport_AndResumes()
    {
        using var dir = new TempDir();
        var input = dir.Sub("brats");
        string[] ids = ["CASE-A", "CASE-B"];
        for (var n = 0; n < ids.Length; n++)
        {
            var study = SyntheticBrainStudy.Create(ids[n], 21 + n, size: 64, slices: 16);
            var caseDir = Directory.CreateDirectory(Path.Combine(input, ids[n])).FullName;
            NiftiWriter.Write(study.Image, Path.Combine(caseDir, ids[n] + "-t2w.nii.gz"));
            NiftiWriter.Write(study.LesionMask, Path.Combine(caseDir, ids[n] + "-seg.nii.gz"));
        }
        var output = dir.File("report");

        var first = Replay(input, output).EnsureSuccess("zsad replay");
        Assert.Contains("[###############...............] 1/2", first.StdOut);
        Assert.Contains("[##############################] 2/2", first.StdOut);
        Assert.Contains("replay: 2 case(s), 2 processed, 0 done before, 0 failed", first.StdOut);
        Assert.Contains($"report: {Path.Combine(output, "index.html")}", first.StdOut);
        foreach (var id in ids)
        {
            Assert.True(File.Exists(Path.Combine(output, "maps", id + ".nii.gz")), id);
            var mask = NiftiReader.Read(Path.Combine(output, "masks", id + ".nii.gz")).Volume;
            Assert.Equal(typeof(byte), mask.ElementType);
        }
        Assert.True(File.Exists(Path.Combine(output, "metrics.json")));
        Assert.Contains("CASE-B", File.ReadAllText(Path.Combine(output, "subjects.csv")));

        var again = Replay(input, output).EnsureSuccess("zsad replay, again");
        Assert.Contains("replay: 2 case(s), 0 processed, 2 done before, 0 failed", again.StdOut);
    }
}
