using System.Globalization;
using System.Text.RegularExpressions;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Synthetic;
using Zsad.Inference.Cli;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Tests.Detection;

/// <summary>`zsad infer` says where it computed and how long each stage took, so a GPU run can be compared with a
/// CPU run stage by stage.</summary>
public class InferCommandTests
{
    [Fact]
    public void Infer_OnCpu_PrintsTheProviderAndEveryStage()
    {
        using var dir = new TempDir();
        var normals = dir.Sub("normals");
        var references = DetectorCatalog.PhantomNormals(2);
        for (var v = 0; v < references.Count; v++)
            NiftiWriter.Write(references[v], Path.Combine(normals, $"normal{v}.nii.gz"));
        var input = dir.File("case.nii.gz");
        NiftiWriter.Write(SyntheticBrainStudy.Create("STAGES-1", 11, lesionCount: 1).Image.ToSingle(), input);
        var text = new StringWriter();

        InferCommandHandler.Run(ResNetMemoryDetector.DetectorName, input, dir.File("map.nii.gz"), normals, text, provider: "cpu");

        var output = text.ToString();
        Assert.Contains("execution provider: Cpu\n", output);
        var stages = Regex.Matches(output, @"^stage (.+): (\d+\.\d{3}) s$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        string[] expected = ["read", "load", "preprocess", "encoder", "memory search", "assembly", "write", "detect (total)"];
        Assert.Equal(expected.Order(), stages.Keys.Order());
        // The detection stages are disjoint parts of the detection, so together they cannot exceed it (rounding aside).
        var parts = stages["preprocess"] + stages["encoder"] + stages["memory search"] + stages["assembly"];
        Assert.True(parts <= stages["detect (total)"] + 0.004, $"stages sum to {parts} s, more than the detection's {stages["detect (total)"]} s");
    }

    [Fact]
    public void Infer_DetectorWithoutNetwork_SaysSo()
    {
        using var dir = new TempDir();
        var input = dir.File("case.nii.gz");
        NiftiWriter.Write(SyntheticBrainStudy.Create("STAGES-2", 12, lesionCount: 1).Image.ToSingle(), input);
        var normals = dir.Sub("normals");
        NiftiWriter.Write(DetectorCatalog.PhantomNormals(1)[0], Path.Combine(normals, "normal0.nii.gz"));
        var text = new StringWriter();

        InferCommandHandler.Run(IntensityBaselineDetector.DetectorName, input, dir.File("map.nii.gz"), normals, text);

        Assert.Contains("execution provider: none (no neural network)\n", text.ToString());
    }
}
