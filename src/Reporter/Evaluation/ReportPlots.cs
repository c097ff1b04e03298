using Zsad.Reporter.Metrics;

namespace Zsad.Reporter.Evaluation;

/// <summary>The report's figures as PNG files (ScottPlot over SkiaSharp, no display needed).</summary>
public static class ReportPlots
{
    public const string DiceStrip = "dice_strip.png";
    public const string DistanceProfile = "distance_profile.png";
    public const string SizeVsDice = "size_vs_dice.png";

    private const int Width = 640, Height = 420;

    public static IReadOnlyList<string> WriteAll(EvaluationSummary summary, string directory)
    {
        WriteDiceStrip(summary, Path.Combine(directory, DiceStrip));
        WriteDistanceProfile(summary, Path.Combine(directory, DistanceProfile));
        WriteSizeVsDice(summary, Path.Combine(directory, SizeVsDice));
        return [DiceStrip, DistanceProfile, SizeVsDice];
    }

    /// <summary>Per-subject Dice, sensitivity and PPV as strips with a deterministic jitter (the same report twice
    /// gives the same picture) and the mean as a bar.</summary>
    public static void WriteDiceStrip(EvaluationSummary summary, string path)
    {
        var plot = new ScottPlot.Plot();
        (string Name, Func<SubjectMetrics, double> Value)[] metrics =
            [("Dice", s => s.Dice), ("Sensitivity", s => s.Sensitivity), ("PPV", s => s.Ppv), ("Specificity", s => s.Specificity)];
        for (var m = 0; m < metrics.Length; m++)
        {
            var values = summary.Subjects.Select(metrics[m].Value).ToArray();
            var xs = new List<double>();
            var ys = new List<double>();
            for (var s = 0; s < values.Length; s++)
            {
                if (double.IsNaN(values[s]))
                    continue;
                xs.Add(m + 1 + Jitter(s));
                ys.Add(values[s]);
            }
            if (ys.Count == 0)
                continue;
            var points = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
            points.MarkerSize = 7;
            var mean = ys.Average();
            var line = plot.Add.Line(m + 0.7, mean, m + 1.3, mean);
            line.LineWidth = 2;
            line.Color = ScottPlot.Colors.Black;
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(1, metrics.Length).Select(i => (double)i).ToArray(), metrics.Select(m => m.Name).ToArray());
        plot.Axes.SetLimits(0.4, metrics.Length + 0.6, -0.02, 1.02);
        plot.Title($"Per-subject metrics (n = {summary.Subjects.Count}); bar = mean");
        plot.YLabel("value");
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Mean 2D Dice of lesion slices by normalised distance from the brain centre, with slice counts.</summary>
    public static void WriteDistanceProfile(EvaluationSummary summary, string path)
    {
        var plot = new ScottPlot.Plot();
        var bins = summary.DistanceProfile.Where(b => !double.IsNaN(b.MeanDice)).ToArray();
        if (bins.Length > 0)
        {
            var scatter = plot.Add.Scatter(bins.Select(b => (b.From + b.To) / 2).ToArray(), bins.Select(b => b.MeanDice).ToArray());
            scatter.LineWidth = 2;
            scatter.MarkerSize = 8;
            foreach (var b in bins)
            {
                var label = plot.Add.Text($"{b.LesionSlices}", (b.From + b.To) / 2, b.MeanDice);
                label.LabelFontSize = 11;
            }
        }
        plot.Axes.SetLimits(-1.05, 1.05, -0.02, 1.08);
        plot.Title("Mean 2D Dice of lesion slices by position (labels: slice counts)");
        plot.XLabel("normalised distance from brain centre (-1 inferior, 1 superior)");
        plot.YLabel("mean 2D Dice");
        plot.SavePng(path, Width, Height);
    }

    public static void WriteSizeVsDice(EvaluationSummary summary, string path)
    {
        var plot = new ScottPlot.Plot();
        var subjects = summary.Subjects.Where(s => s.LesionVoxels > 0).ToArray();
        if (subjects.Length > 0)
        {
            var points = plot.Add.ScatterPoints(subjects.Select(s => (double)s.LesionVoxels).ToArray(), subjects.Select(s => s.Dice).ToArray());
            points.MarkerSize = 8;
        }
        plot.Axes.SetLimitsY(-0.02, 1.02);
        plot.Title(FormattableString.Invariant($"Lesion size vs Dice (Spearman rho = {MetricsCsv.N(summary.SizeDiceSpearman)})"));
        plot.XLabel("lesion size (truth voxels)");
        plot.YLabel("Dice");
        plot.SavePng(path, Width, Height);
    }

    /// <summary>A spread in [-0.2, 0.2] from the subject's index (golden-ratio sequence): no random generator.</summary>
    private static double Jitter(int index) => ((index * 0.6180339887498949) % 1.0 - 0.5) * 0.4;
}
