using Microsoft.Extensions.Logging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Cli;

/// <summary>`zsad infer [--detector NAME|BUNDLE_DIR] --input VOLUME.nii.gz --out MAP.nii.gz [--normals DIR] [--views axial,coronal,sagittal] [--through-plane-sigma MM]`:
/// writes a float32 map on the input's grid with values in [0, 1] and prints the image score.</summary>
public static class InferCommandHandler
{
    /// <param name="stderr">Where the warning of an uncalibrated detector goes (besides the log).</param>
    public static int Run(string? detector, string input, string output, string? normals, TextWriter stdout, ILogger? logger = null,
        string? views = null, string? throughPlaneSigma = null, TextWriter? stderr = null)
    {
        if (!File.Exists(input))
            throw new FileNotFoundException($"input volume {input} does not exist", input);
        var volume = NiftiReader.Read(input).ToSingle();
        var mask = BrainMask.Compute(volume);
        var loaded = DetectorCatalog.Load(detector, normals, logger, views, throughPlaneSigma);
        var instance = loaded.Detector;
        if (loaded.Trust.Warning is { } warning)
            (stderr ?? Console.Error).WriteLine($"zsad: WARNING: {warning}");
        try
        {
            var result = instance.Detect(volume, mask);
            NiftiWriter.Write(result.Map, output, NiftiWriteOptions.Default with { Description = $"zsad {instance.Name}" });
            if (instance is Detection.Views.MultiViewDetector multi)
                stdout.WriteLine($"slicing: {multi.Options}");
            var inner = instance is Detection.Views.MultiViewDetector fused ? fused.Inner : instance;
            if (inner is ResNetMemoryDetector m)
                stdout.WriteLine($"execution provider: {m.Backbone.Engine.ExecutionProvider}{(m.Backbone.Engine.FallbackReason is { } r ? $" (CUDA unavailable: {r})" : "")}");
            stdout.WriteLine($"detector: {instance.Name}");
            stdout.WriteLine($"references: {loaded.Trust.References}");
            stdout.WriteLine($"calibration: {loaded.Trust.Describe()}");
            stdout.WriteLine($"image score: {result.ImageScore:F4}");
            stdout.WriteLine(result.ImagePValue is { } p ? $"image p-value: {p:G4} (against the held-out normal volumes)" : "image p-value: none (no image-level calibration)");
            stdout.WriteLine($"map: {output}");
            return 0;
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }
}
