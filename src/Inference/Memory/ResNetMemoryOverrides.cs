using Zsad.Inference.Detection;
using Zsad.Inference.Detection.Views;

namespace Zsad.Inference.Memory;

/// <summary>The resnet18-memory settings that `zsad models build-memory` may change from the detector's defaults,
/// each the <see cref="MemoryDetectorOptions"/> property of the same name; null keeps the default.</summary>
public sealed record ResNetMemoryOverrides(double? SliceAxisSigmaMm = null, double? DelineationFraction = null, double? CoreQuantile = null,
    double? EdgeReachMm = null, double? DarkRimMm = null, double? FalseFindingsPerScan = null)
{
    /// <summary>No setting changed.</summary>
    public static ResNetMemoryOverrides None { get; } = new();

    /// <summary>Refuses a value the detector would refuse, before any normal is read.</summary>
    public void Check()
    {
        if (SliceAxisSigmaMm is { } sigma)
            SlicingOptions.CheckSigma(sigma, "--slice-axis-sigma");
        if (DelineationFraction is { } fraction)
            FindingDelineation.CheckFraction(fraction);
        if (CoreQuantile is { } quantile)
            FindingDelineation.CheckCoreQuantile(quantile);
        if (EdgeReachMm is { } reach)
            FindingDelineation.CheckEdgeReach(reach);
        if (DarkRimMm is { } rim)
            MemoryDetectorOptions.CheckDarkRim(rim);
        if (FalseFindingsPerScan is { } perScan)
            FindingMass.CheckPerScan(perScan);
    }

    /// <summary>The command-line flag of the first setting changed, or null when none is.</summary>
    public string? FirstFlag =>
        SliceAxisSigmaMm is not null ? "--slice-axis-sigma" : DelineationFraction is not null ? "--delineation" : CoreQuantile is not null ? "--core-quantile"
        : EdgeReachMm is not null ? "--edge-reach" : DarkRimMm is not null ? "--dark-rim" : FalseFindingsPerScan is not null ? "--false-findings" : null;

    public MemoryDetectorOptions ApplyTo(MemoryDetectorOptions options) => options with
    {
        SliceAxisSigmaMm = SliceAxisSigmaMm ?? options.SliceAxisSigmaMm,
        DelineationFraction = DelineationFraction ?? options.DelineationFraction,
        CoreQuantile = CoreQuantile ?? options.CoreQuantile,
        EdgeReachMm = EdgeReachMm ?? options.EdgeReachMm,
        DarkRimMm = DarkRimMm ?? options.DarkRimMm,
        FalseFindingsPerScan = FalseFindingsPerScan ?? options.FalseFindingsPerScan,
    };
}
