using Zsad.Inference.Backbones;
using Zsad.Inference.Bundles;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Cli;

/// <summary>`zsad models list`: built-in detectors and installed bundles with their status.</summary>
public static class ModelsCommandHandler
{
    public static int List(TextWriter stdout)
    {
        var resnet = Path.Combine(ResNet18Backbone.DefaultModelDirectory, ResNet18Backbone.ModelFileName);
        stdout.WriteLine("built-in detectors:");
        stdout.WriteLine($"  {ResNetMemoryDetector.DetectorName,-22} {(File.Exists(resnet) ? "ready" : "missing " + resnet)}  (default) few-shot ResNet18 ImageNet feature memory; needs normal references");
        stdout.WriteLine($"  {IntensityBaselineDetector.DetectorName,-22} ready  BASELINE: robust intensity z-score against normal references");
        stdout.WriteLine($"bundles in {DetectorCatalog.BundleDirectory}:");
        if (!Directory.Exists(DetectorCatalog.BundleDirectory))
        {
            stdout.WriteLine("  (none)");
            return 0;
        }
        var any = false;
        foreach (var dir in Directory.EnumerateDirectories(DetectorCatalog.BundleDirectory).Order(StringComparer.Ordinal))
        {
            any = true;
            try
            {
                var b = BundleLoader.Load(dir);
                stdout.WriteLine($"  {Path.GetFileName(dir),-22} valid  {b.Manifest.Method} {b.Manifest.Backbone} {b.Manifest.Weights}{(Heads.ClipHeads.IsImplemented(b.Method) ? " ready" : " (method head not implemented yet)")}");
            }
            catch (BundleException ex)
            {
                stdout.WriteLine($"  {Path.GetFileName(dir),-22} REFUSED  {ex.Message}");
            }
        }
        if (!any)
            stdout.WriteLine("  (none)");
        return 0;
    }
}
