namespace Zsad.Imaging.Series;

/// <summary>Tolerances for assembling a volume. Positions and cosines are decimal strings rounded by the scanner,
/// so exact comparisons would refuse real series.</summary>
public sealed record DicomSeriesReadOptions
{
    public static DicomSeriesReadOptions Default { get; } = new();

    /// <summary>Largest difference between direction cosines of two images still taken as the same orientation.</summary>
    public double OrientationTolerance { get; init; } = 1e-4;

    /// <summary>Slice gaps may differ from the typical gap by this many millimetres...</summary>
    public double SpacingToleranceMm { get; init; } = 0.01;

    /// <summary>...or by this fraction of the typical gap, whichever is larger.</summary>
    public double SpacingToleranceRelative { get; init; } = 0.01;

    /// <summary>Two slices closer than this (mm) along the normal are duplicates.</summary>
    public double DuplicateToleranceMm { get; init; } = 1e-3;

    /// <summary>How far (as a fraction of the smallest pixel spacing) a slice may sit off the line through the first
    /// slice along the normal; more means a tilted gantry or two stacks.</summary>
    public double InPlaneToleranceRelative { get; init; } = 0.05;
}
