using System.Globalization;
using System.Net;
using System.Text;
using Zsad.Reporter.Metrics;

namespace Zsad.Reporter.Evaluation;

/// <summary>index.html: one page with no script, stylesheet or font from anywhere else; the figures are the PNG
/// files next to it (referenced by relative name, so the folder can be copied or zipped as it is).</summary>
public static class HtmlReport
{
    public static string Render(EvaluationSummary summary, float threshold, IReadOnlyList<string> plots)
    {
        var sb = new StringBuilder();
        sb.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Zsad evaluation</title>
            <style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#eee}td:first-child{text-align:left}img{max-width:100%;margin:1em 0}</style>
            </head><body>
            <h1>Zsad evaluation</h1>

            """);
        sb.Append(CultureInfo.InvariantCulture, $"<p>{summary.Subjects.Count} subjects, threshold {threshold.ToString("R", CultureInfo.InvariantCulture)} (voxel abnormal when score &gt;= threshold).</p>\n");
        sb.Append("<h2>Overall</h2>\n<table>\n<tr><th>metric</th><th>value</th></tr>\n");
        Row(sb, "Dice (mean ± std)", summary.Dice.ToString());
        Row(sb, "Sensitivity", summary.Sensitivity.ToString());
        Row(sb, "Specificity", summary.Specificity.ToString());
        Row(sb, "PPV", summary.Ppv.ToString());
        Row(sb, "AUROC (all voxels)", F(summary.Auroc));
        Row(sb, "F1-max (all voxels)", $"{F(summary.F1Max.F1)} at threshold {F(summary.F1Max.Threshold)}");
        Row(sb, "Lesion-wise sensitivity", F(summary.LesionSensitivity));
        Row(sb, "False positive components per scan", F(summary.FalsePositivesPerScan));
        Row(sb, "Spearman (lesion size, Dice)", F(summary.SizeDiceSpearman));
        sb.Append("</table>\n<h2>Figures</h2>\n");
        foreach (var plot in plots)
            sb.Append(CultureInfo.InvariantCulture, $"<p><img src=\"{WebUtility.HtmlEncode(plot)}\" alt=\"{WebUtility.HtmlEncode(Path.GetFileNameWithoutExtension(plot))}\"></p>\n");
        sb.Append("<h2>Per subject</h2>\n<table>\n<tr><th>id</th><th>Dice</th><th>sensitivity</th><th>specificity</th><th>PPV</th><th>truth voxels</th><th>lesions found</th><th>FP components</th></tr>\n");
        foreach (var s in summary.Subjects)
            sb.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{WebUtility.HtmlEncode(s.SubjectId)}</td><td>{F(s.Dice)}</td><td>{F(s.Sensitivity)}</td><td>{F(s.Specificity)}</td><td>{F(s.Ppv)}</td><td>{s.LesionVoxels}</td><td>{s.Lesions.Detected}/{s.Lesions.Lesions}</td><td>{s.Lesions.FalsePositives}</td></tr>\n");
        sb.Append("</table>\n<p>Tables: <a href=\"subjects.csv\">subjects.csv</a>, <a href=\"slices.csv\">slices.csv</a>, <a href=\"distance_profile.csv\">distance_profile.csv</a>, <a href=\"metrics.json\">metrics.json</a>. Undefined values (e.g. sensitivity without lesion) are shown as nan and left out of the means.</p>\n</body></html>\n");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string name, string value)
        => sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{WebUtility.HtmlEncode(name)}</td><td>{WebUtility.HtmlEncode(value)}</td></tr>\n");

    private static string F(double v) => double.IsNaN(v) ? "nan" : v.ToString("0.0000", CultureInfo.InvariantCulture);
}
