using System.Globalization;
using System.Text;
using Zsad.Reporter.Metrics;

namespace Zsad.Reporter.Evaluation;

/// <summary>The CSV tables of a report (invariant culture, "nan" for undefined values as pandas reads them).</summary>
public static class MetricsCsv
{
    public static string Subjects(EvaluationSummary summary)
    {
        var sb = new StringBuilder("id,dice,sensitivity,specificity,ppv,truth_voxels,predicted_voxels,lesions,lesions_detected,lesion_sensitivity,false_positive_components\n");
        foreach (var s in summary.Subjects)
            sb.AppendLine(Row(Text(s.SubjectId), N(s.Dice), N(s.Sensitivity), N(s.Specificity), N(s.Ppv), I(s.LesionVoxels), I(s.Confusion.PredictedCount),
                I(s.Lesions.Lesions), I(s.Lesions.Detected), N(s.Lesions.Sensitivity), I(s.Lesions.FalsePositives)));
        return sb.ToString();
    }

    public static string Slices(EvaluationSummary summary)
    {
        var sb = new StringBuilder("id,z,dice,truth_voxels,predicted_voxels,normalized_distance\n");
        foreach (var s in summary.Subjects)
            foreach (var z in s.Slices)
                sb.AppendLine(Row(Text(s.SubjectId), I(z.Z), N(z.Dice), I(z.TruthVoxels), I(z.PredictedVoxels), N(z.NormalizedDistance)));
        return sb.ToString();
    }

    public static string DistanceProfile(EvaluationSummary summary)
    {
        var sb = new StringBuilder("from,to,mean_dice,lesion_slices\n");
        foreach (var b in summary.DistanceProfile)
            sb.AppendLine(Row(N(b.From), N(b.To), N(b.MeanDice), I(b.LesionSlices)));
        return sb.ToString();
    }

    private static string Row(params string[] cells) => string.Join(',', cells);

    internal static string N(double v) => double.IsNaN(v) ? "nan" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Text(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
