using System.Globalization;
using System.Text;
using Zsad.Reporter.Metrics;

namespace Zsad.Reporter.Evaluation;

/// <summary>Writes a report folder: metrics.json, subjects.csv, slices.csv, distance_profile.csv, the PNG figures
/// and index.html.</summary>
public static class EvaluationReport
{
    public const string MetricsFile = "metrics.json";
    public const string HtmlFile = "index.html";

    /// <param name="notes">Warnings (an uncalibrated detector) and image p-values for metrics.json.</param>
    public static void Write(EvaluationSummary summary, float threshold, string directory, ReportNotes? notes = null)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, MetricsFile), MetricsJson.Serialize(summary, threshold, notes));
        File.WriteAllText(Path.Combine(directory, "subjects.csv"), MetricsCsv.Subjects(summary));
        File.WriteAllText(Path.Combine(directory, "slices.csv"), MetricsCsv.Slices(summary));
        File.WriteAllText(Path.Combine(directory, "distance_profile.csv"), MetricsCsv.DistanceProfile(summary));
        var plots = ReportPlots.WriteAll(summary, directory);
        File.WriteAllText(Path.Combine(directory, HtmlFile), HtmlReport.Render(summary, threshold, plots));
    }

    /// <summary>The few lines printed on the console.</summary>
    public static string TextSummary(EvaluationSummary summary, float threshold)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"subjects {summary.Subjects.Count}, threshold {threshold.ToString("R", CultureInfo.InvariantCulture)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Dice        {summary.Dice}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Sensitivity {summary.Sensitivity}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Specificity {summary.Specificity}\n");
        sb.Append(CultureInfo.InvariantCulture, $"PPV         {summary.Ppv}\n");
        sb.Append(CultureInfo.InvariantCulture, $"AUROC {F(summary.Auroc)}  F1-max {F(summary.F1Max.F1)} at {F(summary.F1Max.Threshold)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"lesions found {summary.Subjects.Sum(s => s.Lesions.Detected)}/{summary.Subjects.Sum(s => s.Lesions.Lesions)} (sensitivity {F(summary.LesionSensitivity)}), false positives per scan {F(summary.FalsePositivesPerScan)}\n");
        return sb.ToString();
    }

    private static string F(double v) => double.IsNaN(v) ? "nan" : v.ToString("0.0000", CultureInfo.InvariantCulture);
}
