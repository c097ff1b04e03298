namespace Zsad.Host.Pipeline;

/// <summary>What the Reporter made of one map; written as result.json last, so its presence means "done".</summary>
/// <param name="Name">File name of the case in maps/ and masks/: the case id, else the series UID, else the volume id.</param>
/// <param name="Export">Where the SEG went: "AE@host:port", "pacs-folder", "dead-letter ..." or "none" (no SEG).</param>
/// <param name="CalibrationWarning">Why the detector's decision level is not calibrated on the site's normals (null when it is).</param>
/// <param name="SegWithheld">A BINARY SEG was withheld because the detector is uncalibrated (only the summary SR was sent).</param>
public sealed record ReportOutcome(
    string VolumeId,
    string Detector,
    string Name,
    string MapPath,
    string MaskPath,
    string? SegPath,
    string? SummaryPath,
    string? SegSeriesInstanceUid,
    long SegmentedVoxels,
    double ImageScore,
    string Export,
    string? MetricsPath,
    double? Dice,
    DateTimeOffset CompletedAt,
    string? CalibrationWarning = null,
    double? ImagePValue = null,
    bool SegWithheld = false);
