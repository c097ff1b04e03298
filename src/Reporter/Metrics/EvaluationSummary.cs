namespace Zsad.Reporter.Metrics;

/// <summary>The seed paper's table row for one method, plus lesion-wise detection.</summary>
/// <param name="Auroc">Pixel-level AUROC over all voxels of all subjects (NaN when one class is absent).</param>
/// <param name="F1Max">Pixel-level F1-max over all voxels of all subjects, with its threshold.</param>
/// <param name="SizeDiceSpearman">Spearman correlation of lesion size (truth voxels) with per-subject Dice.</param>
/// <param name="LesionSensitivity">Detected lesions / all lesions, pooled over subjects (NaN without lesions).</param>
/// <param name="FalsePositivesPerScan">Predicted components touching no lesion, averaged over subjects.</param>
public sealed record EvaluationSummary(
    IReadOnlyList<SubjectMetrics> Subjects,
    MeanStd Dice,
    MeanStd Sensitivity,
    MeanStd Specificity,
    MeanStd Ppv,
    double Auroc,
    F1MaxResult F1Max,
    IReadOnlyList<DistanceBin> DistanceProfile,
    double SizeDiceSpearman,
    double LesionSensitivity,
    double FalsePositivesPerScan);
