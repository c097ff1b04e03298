using Zsad.Imaging.Nifti;
using Zsad.Imaging.Synthetic;
using Zsad.Inference.Cli;
using Zsad.Inference.Detection;
using Zsad.Inference.Tests.Heads;

namespace Zsad.Inference.Tests.Publish;

/// <summary>PUBLISHES: `dotnet publish src/Zsad` trimmed and self-contained into a temporary folder (a minute or
/// two), then runs the published `zsad infer`. Trimming removes whatever reflection would have needed (the bundle
/// and record JSON is source-generated for that reason), so only running the trimmed program shows it still works.</summary>
[Trait("Category", "Publish")]
public class TrimmedPublishTests
{
    [Fact]
    public void TrimmedZsad_Infer_WritesTheMapOfTheUntrimmedInProcessRun()
    {
        using var dir = new TempDir();
        var normals = dir.Sub("normals");
        var references = DetectorCatalog.PhantomNormals(2);
        for (var v = 0; v < references.Count; v++)
            NiftiWriter.Write(references[v], Path.Combine(normals, $"normal{v}.nii.gz"));
        var input = dir.File("case.nii.gz");
        NiftiWriter.Write(SyntheticBrainStudy.Create("TRIM-1", 7, lesionCount: 2).Image.ToSingle(), input);

        var app = dir.Sub("zsad");
        var publish = Peers.Run("dotnet", ["publish", Path.Combine(ParityFixture.RepositoryRoot(), "src", "Zsad"), "-c", "Release", "-r", "linux-x64",
            "--self-contained", "-p:PublishTrimmed=true", "-o", app, "--nologo"], TimeSpan.FromMinutes(15));
        var zsad = Path.Combine(app, "zsad");
        Assert.True(publish.ExitCode == 0 && File.Exists(zsad), $"trimmed publish failed (exit {publish.ExitCode}):\n{publish.StdOut}\n{publish.StdErr}\n"
            + $"{app} holds: {string.Join(", ", Directory.EnumerateFileSystemEntries(app).Select(Path.GetFileName).Take(20))}");

        string[] args = ["--detector", ResNetMemoryDetector.DetectorName, "--input", input, "--normals", normals, "--provider", "cpu"];
        var trimmedMap = dir.File("trimmed.nii.gz");
        var run = Peers.Run(zsad, ["infer", .. args, "--out", trimmedMap], TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, $"trimmed zsad infer failed:\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains("execution provider: Cpu", run.StdOut);
        Assert.Contains("stage encoder: ", run.StdOut);

        var inProcessMap = dir.File("in-process.nii.gz");
        InferCommandHandler.Run(ResNetMemoryDetector.DetectorName, input, inProcessMap, normals, TextWriter.Null, provider: "cpu");

        Assert.True(File.Exists(trimmedMap));
        var trimmed = NiftiReader.Read(trimmedMap).Volume.ToSingle();
        var inProcess = NiftiReader.Read(inProcessMap).Volume.ToSingle();
        Assert.True(trimmed.HasSameGrid(inProcess));
        Assert.Contains(inProcess.Data, v => v > 0); // a map with something in it, so equality means something
        Assert.Equal(inProcess.Data, trimmed.Data);
    }
}
