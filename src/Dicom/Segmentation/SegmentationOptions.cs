namespace Zsad.Dicom.Segmentation;

/// <summary>Series- and instance-level choices for a segmentation object. The UIDs derive from
/// <see cref="DetectorName"/> and <see cref="Settings"/>, so the same work always yields the same SEG.</summary>
public sealed record SegmentationOptions
{
    /// <summary>The detector that produced the segments; part of the UID derivation.</summary>
    public required string DetectorName { get; init; }

    /// <summary>Everything else that changes the output (threshold, bundle hash...), as one string; part of the UID derivation.</summary>
    public string Settings { get; init; } = "";

    public int SeriesNumber { get; init; } = 901;

    public string SeriesDescription { get; init; } = "Zsad anomaly segmentation";

    public int InstanceNumber { get; init; } = 1;

    /// <summary>ContentLabel (CS: A-Z 0-9 space underscore, at most 16 characters).</summary>
    public string ContentLabel { get; init; } = "ANOMALY";

    public string? ContentDescription { get; init; } = "Automatic anomaly segmentation";

    /// <summary>ContentCreatorName (PN, Type 2): empty by default, a machine made it.</summary>
    public string ContentCreatorName { get; init; } = "";

    public string Manufacturer { get; init; } = "Zsad";

    public string ManufacturerModelName { get; init; } = "Zsad";

    public string DeviceSerialNumber { get; init; } = "1";

    public string SoftwareVersions { get; init; } = typeof(SegmentationOptions).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>MaximumFractionalValue for FRACTIONAL segments (1..255, 8-bit storage).</summary>
    public int MaximumFractionalValue { get; init; } = 255;

    /// <summary>Content and instance creation date/time; now when null. Fix it to make the bytes reproducible.</summary>
    public DateTimeOffset? ContentDateTime { get; init; }

    /// <summary>Leave out frames with no non-zero pixel (highdicom does); the references still list every source frame.</summary>
    public bool OmitEmptyFrames { get; init; } = true;
}
