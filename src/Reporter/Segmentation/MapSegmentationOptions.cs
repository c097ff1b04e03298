using System.Globalization;
using Zsad.Imaging.Filters;

namespace Zsad.Reporter.Segmentation;

/// <summary>How an anomaly map becomes a SEG. Everything here that changes the output goes into
/// <see cref="Settings"/>, from which the SEG's UIDs derive: the same work always gives the same SEG.</summary>
public sealed record MapSegmentationOptions
{
    public required SegmentationThreshold Threshold { get; init; }

    /// <summary>The detector that produced the map (SegmentAlgorithmName; part of the UIDs).</summary>
    public string DetectorName { get; init; } = "zsad";

    public string DetectorVersion { get; init; } = "1";

    public MinimumComponentSize MinimumSize { get; init; } = MinimumComponentSize.None;

    /// <summary>26 by default, as the lesion-wise metrics count lesions.</summary>
    public Connectivity Connectivity { get; init; } = Connectivity.Full26;

    /// <summary>Also make a FRACTIONAL (PROBABILITY) SEG of the continuous map.</summary>
    public bool Fractional { get; init; }

    /// <summary>Content date/time of the objects; now when null.</summary>
    public DateTimeOffset? ContentDateTime { get; init; }

    /// <summary>The settings string the UIDs derive from. The threshold is written round-trip exact, and its
    /// source is left out: a calibrated 0.5 and a fixed 0.5 give the same segmentation, hence the same SEG.</summary>
    public string Settings => string.Create(CultureInfo.InvariantCulture,
        $"threshold={Threshold.Value:R};min-size={MinimumSize};connectivity={(int)Connectivity};version={DetectorVersion}");
}
