using Zsad.Inference.Backbones;
using Zsad.Inference.Bundles;
using Zsad.Inference.Detection;
using Zsad.Inference.Memory;

namespace Zsad.Inference.Cli;

/// <summary>`zsad models list`: built-in detectors and installed bundles with their status.</summary>
public static class ModelsCommandHandler
{
    /// <param name="bundleDirectory">Where installed bundles live; <see cref="DetectorCatalog.BundleDirectory"/> when null.</param>
    public static int List(TextWriter stdout, string? bundleDirectory = null)
    {
        bundleDirectory ??= DetectorCatalog.BundleDirectory;
        var resnet = Path.Combine(ResNet18Backbone.DefaultModelDirectory, ResNet18Backbone.ModelFileName);
        stdout.WriteLine("built-in detectors:");
        stdout.WriteLine($"  {ResNetMemoryDetector.DetectorName,-22} {(File.Exists(resnet) ? "ready" : "missing " + resnet)}  (default) few-shot ResNet18 ImageNet feature memory; needs normal references");
        stdout.WriteLine($"  {IntensityBaselineDetector.DetectorName,-22} ready  BASELINE: robust intensity z-score against normal references");
        stdout.WriteLine($"bundles in {bundleDirectory}:");
        if (!Directory.Exists(bundleDirectory))
        {
            stdout.WriteLine("  (none)");
            return 0;
        }
        var any = false;
        foreach (var dir in Directory.EnumerateDirectories(bundleDirectory).Order(StringComparer.Ordinal))
        {
            any = true;
            try
            {
                var b = BundleLoader.Load(dir);
                var ready = Heads.ClipHeads.IsImplemented(b.Method) || b.Method == DetectorMethod.FeatureMemory;
                stdout.WriteLine($"  {Path.GetFileName(dir),-22} valid  {b.Manifest.Method} {b.Manifest.Backbone} {b.Manifest.Weights}{(ready ? " ready" : " (method head not implemented yet)")}");
                if (b.Manifest.MemorySource is { } source)
                    stdout.WriteLine($"  {"",-22} memory: {source.Volumes} normal volumes ({string.Join(", ", source.Inputs ?? [])}), {source.Slices} slices, step {source.SliceStep}, inputs sha256 {source.Sha256}, built {source.Created:u}");
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

    /// <summary>`zsad models build-memory --detector NAME|BUNDLE_DIR --normals DIR --out OUT_BUNDLE [--slice-step N] [--max-bank-mb MB] [--fpr RATE] [--slice-axis-sigma MM] [--delineation F] [--core-quantile Q] [--edge-reach MM] [--dark-rim MM] [--false-findings N]`.</summary>
    public static int BuildMemory(string detector, string normals, string output, string? sliceStep, string? maxBankMb, TextWriter stdout, string? fpr = null,
        string? sliceAxisSigma = null, string? delineation = null, string? coreQuantile = null, string? edgeReach = null, string? darkRim = null, string? falseFindings = null)
    {
        double? sigma = sliceAxisSigma is null ? null : Detection.Views.SlicingOptions.ParseSigma(sliceAxisSigma, "--slice-axis-sigma");
        var fraction = OptionalNumber(delineation, "--delineation", "a fraction of each finding's peak, 0 = off");
        var core = OptionalNumber(coreQuantile, "--core-quantile", "a quantile of the normals' voxel-scale scores, 0 = off");
        var reach = OptionalNumber(edgeReach, "--edge-reach", "mm beyond the core cut's voxels, 0 = off");
        var rim = OptionalNumber(darkRim, "--dark-rim", "mm from the brain mask's edge, 0 = off");
        var perScan = OptionalNumber(falseFindings, "--false-findings", "false findings per healthy scan");
        var rate = OptionalNumber(fpr, "--fpr", "a share of healthy voxels, e.g. 1e-4");
        if (rate is { } checkedRate)
            VoxelCalibration.CheckRate(checkedRate);
        int? step = sliceStep is null ? null : int.TryParse(sliceStep, out var n) ? n : throw new ArgumentException($"--slice-step: '{sliceStep}' is not a whole number");
        var limit = maxBankMb is null ? MemoryBankBuilder.DefaultMaxBankBytes
            : long.TryParse(maxBankMb, out var mb) && mb > 0 ? mb << 20 : throw new ArgumentException($"--max-bank-mb: '{maxBankMb}' is not a positive whole number of MiB");
        var dir = MemoryBankBuilder.Build(detector, normals, output, step, limit, falsePositiveRate: rate,
            resNet: new ResNetMemoryOverrides(sigma, fraction, core, reach, rim, perScan));
        var bundle = BundleLoader.Load(dir);
        var source = bundle.Manifest.MemorySource!;
        stdout.WriteLine($"memory bundle: {bundle.Directory} ({bundle.Manifest.Method}, {bundle.Manifest.MemoryBank!.Shape![0]} rows of {bundle.Manifest.MemoryBank.Shape[1]})");
        stdout.WriteLine($"normals: {source.Volumes} volumes, {source.Slices} slices, inputs sha256 {source.Sha256}");
        if (bundle.Manifest.FeatureMemory is { VoxelThreshold: { } threshold } fm)
        {
            stdout.WriteLine(System.FormattableString.Invariant(
                $"calibration (leave one normal out): decision level 0.5 = raw {threshold:F4} = {fm.FalsePositiveRate:G3} false positives per healthy voxel; image statistics of the normals {string.Join(", ", fm.NormalImageStatistics!.Select(x => x.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}"));
            foreach (var unlike in fm.UnlikeNormals ?? [])
                stdout.WriteLine(System.FormattableString.Invariant(
                    $"WARNING: normal '{source.Inputs![unlike.Index!.Value]}' is unlike the others: the level they set flags {100 * unlike.ShareFlagged!.Value:0.###} % of its brain; it is left out of the decision level (still in the memory bank and the image p-value); check it for a lesion, an artefact or another protocol"));
            if (fm.CoreLevel is { } coreLevel)
                stdout.WriteLine(System.FormattableString.Invariant(
                    $"core cut: each finding keeps its voxels whose voxel-scale score reaches raw {coreLevel:F4} (quantile {fm.CoreQuantile:G3} of the held-out normals'){(fm.EdgeReachMm is { } storedReach ? $"; one whose core contrasts with the tissue around it follows its half-contrast edge within {storedReach:G3} mm of them" : "")}"));
            if (fm.FindingMassLevel is { } massLevel)
                stdout.WriteLine(System.FormattableString.Invariant(
                    $"finding-mass cut: a scan keeps the findings whose mass (height above the level times mm3) exceeds {massLevel:F2}, which lets {fm.FalseFindingsPerScan:G3} false findings per healthy scan through on the held-out normals"));
            if (fm.NormalImageStatistics!.Count < ReferenceTrust.MinimumNormals)
                stdout.WriteLine($"WARNING: this bundle counts as UNCALIBRATED (no BINARY SEG sent without --allow-uncalibrated): {ReferenceTrust.OneNormalProblem}; build from 4 or more normals");
        }
        return 0;
    }

    private static double? OptionalNumber(string? text, string key, string meaning) => text is null ? null
        : double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
        : throw new ArgumentException($"{key}: '{text}' is not a number ({meaning})");
}
