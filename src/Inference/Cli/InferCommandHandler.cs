using Microsoft.Extensions.Logging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Detection;
using Zsad.Inference.Engine;

namespace Zsad.Inference.Cli;

/// <summary>`zsad infer [--detector NAME|BUNDLE_DIR] --input VOLUME.nii.gz --out MAP.nii.gz [--normals DIR] [--views axial,coronal,sagittal] [--through-plane-sigma MM] [--provider auto|cuda|cpu]`:
/// writes a float32 map on the input's grid with values in [0, 1], prints the image score, the execution provider
/// the detector really ran on, and the wall time of each stage (so CUDA and CPU runs can be compared stage by stage).</summary>
public static class InferCommandHandler
{
    /// <param name="stderr">Where the warning of an uncalibrated detector goes (besides the log).</param>
    public static int Run(string? detector, string input, string output, string? normals, TextWriter stdout, ILogger? logger = null,
        string? views = null, string? throughPlaneSigma = null, string? provider = null, TextWriter? stderr = null)
    {
        var engine = EngineOptions.ForProvider(provider);
        if (!File.Exists(input))
            throw new FileNotFoundException($"input volume {input} does not exist", input);
        var timings = new StageTimings();
        var t = StageTimings.Now();
        var volume = NiftiReader.Read(input).ToSingle();
        var mask = BrainMask.Compute(volume);
        t = timings.Add(StageTimings.Read, t);
        var loaded = DetectorCatalog.Load(detector, normals, logger, views, throughPlaneSigma, engine);
        var instance = loaded.Detector;
        if (loaded.Trust.Warning is { } warning)
            (stderr ?? Console.Error).WriteLine($"zsad: WARNING: {warning}");
        try
        {
            t = timings.Add(StageTimings.Load, t);
            DetectorCatalog.TimeStages(instance, timings);
            var detectStart = t;
            var result = instance.Detect(volume, mask);
            t = StageTimings.Now();
            var detectSeconds = StageTimings.Seconds(detectStart, t);
            NiftiWriter.Write(result.Map, output, NiftiWriteOptions.Default with { Description = $"zsad {instance.Name}" });
            timings.Add(StageTimings.Write, t);
            if (instance is Detection.Views.MultiViewDetector multi)
                stdout.WriteLine($"slicing: {multi.Options}");
            stdout.WriteLine(DetectorCatalog.EngineOf(instance) is { } e
                ? $"execution provider: {e.ExecutionProvider}{(e.FallbackReason is { } r ? $" (CUDA unavailable: {r})" : "")}"
                : "execution provider: none (no neural network)");
            stdout.WriteLine($"detector: {instance.Name}");
            stdout.WriteLine($"references: {loaded.Trust.References}");
            stdout.WriteLine($"calibration: {loaded.Trust.Describe()}");
            stdout.WriteLine($"image score: {result.ImageScore:F4}");
            stdout.WriteLine(result.ImagePValue is { } p ? $"image p-value: {p:G4} (against the held-out normal volumes)" : "image p-value: none (no image-level calibration)");
            stdout.WriteLine($"map: {output}");
            // Detection's own stages do not cover reslicing and fusing views: the detect line is their sum plus that.
            foreach (var (stage, seconds) in timings.Stages)
                stdout.WriteLine($"stage {stage}: {seconds:F3} s");
            stdout.WriteLine($"stage detect (total): {detectSeconds:F3} s");
            return 0;
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }
}
