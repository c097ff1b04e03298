namespace Zsad.Reporter.Evaluation;

/// <summary>What metrics.json says beside the metrics: warnings about the run (a detector whose decision level is not
/// calibrated on the site's normals) and each subject's image-level p-value against held-out normal volumes.</summary>
public sealed record ReportNotes(IReadOnlyList<string> Warnings, IReadOnlyDictionary<string, double> ImagePValues)
{
    public static ReportNotes Empty { get; } = new([], new Dictionary<string, double>());
}
