using Zsad.Imaging.Filters;
using System.Text.Json;
using Zsad.Reporter.Metrics;
using Zsad.Reporter.Tests.Support;

namespace Zsad.Reporter.Tests.Metrics;

/// <summary>Zsad's metrics equal sklearn (roc_auc_score, precision_recall_curve -> F1-max), scipy (spearmanr,
/// ndimage.label with a 3x3x3 structure) and numpy Dice on shared test vectors, to 1e-6, degenerate cases included.</summary>
public class SklearnAgreementTests
{
    private const double Tolerance = 1e-6;
    private const int Bins = 4;

    public static TheoryData<string> Cases => new(MetricsCase.All().Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Metrics_EqualTheSklearnScipyNumpyReference(string name)
    {
        var c = MetricsCase.All().Single(x => x.Name == name);
        var input = Path.Combine(Path.GetTempPath(), $"zsad-metrics-{Guid.NewGuid():N}.json");
        File.WriteAllText(input, c.ToJson(Bins));
        JsonElement reference;
        try
        {
            reference = JsonDocument.Parse(ReferenceScripts.Run("reference_metrics.py", input)).RootElement;
        }
        finally
        {
            File.Delete(input);
        }

        var evaluator = new MetricsEvaluator(c.Threshold, Connectivity.Full26, Bins);
        for (var i = 0; i < c.Volumes.Count; i++)
            evaluator.Add($"s{i}", c.Volumes[i].Scores, c.Volumes[i].Truth, c.Shape);
        var summary = evaluator.Summarize();

        Near(reference.GetProperty("auroc"), summary.Auroc, "AUROC");
        Near(reference.GetProperty("f1max"), summary.F1Max.F1, "F1-max");
        Near(reference.GetProperty("f1_threshold"), summary.F1Max.Threshold, "F1-max threshold");
        MeanStdNear(reference.GetProperty("dice"), summary.Dice, "Dice");
        MeanStdNear(reference.GetProperty("sensitivity"), summary.Sensitivity, "sensitivity");
        MeanStdNear(reference.GetProperty("specificity"), summary.Specificity, "specificity");
        MeanStdNear(reference.GetProperty("ppv"), summary.Ppv, "PPV");
        Near(reference.GetProperty("spearman"), summary.SizeDiceSpearman, "Spearman");
        Near(reference.GetProperty("lesion_sensitivity"), summary.LesionSensitivity, "lesion sensitivity");
        Near(reference.GetProperty("false_positives_per_scan"), summary.FalsePositivesPerScan, "false positives per scan");

        var subjects = reference.GetProperty("subjects").EnumerateArray().ToArray();
        for (var i = 0; i < subjects.Length; i++)
        {
            var ours = summary.Subjects[i];
            Near(subjects[i].GetProperty("dice"), ours.Dice, $"subject {i} Dice");
            Near(subjects[i].GetProperty("sensitivity"), ours.Sensitivity, $"subject {i} sensitivity");
            Near(subjects[i].GetProperty("specificity"), ours.Specificity, $"subject {i} specificity");
            Near(subjects[i].GetProperty("ppv"), ours.Ppv, $"subject {i} PPV");
            Assert.Equal(subjects[i].GetProperty("lesions").GetInt32(), ours.Lesions.Lesions);
            Assert.Equal(subjects[i].GetProperty("detected").GetInt32(), ours.Lesions.Detected);
            Assert.Equal(subjects[i].GetProperty("false_positives").GetInt32(), ours.Lesions.FalsePositives);
            var slices = subjects[i].GetProperty("slice_dice").EnumerateArray().ToArray();
            for (var z = 0; z < slices.Length; z++)
                Near(slices[z], ours.Slices[z].Dice, $"subject {i} slice {z} Dice");
        }

        var profile = reference.GetProperty("profile").EnumerateArray().ToArray();
        for (var b = 0; b < Bins; b++)
        {
            Near(profile[b][0], summary.DistanceProfile[b].MeanDice, $"profile bin {b} mean Dice");
            Assert.Equal(profile[b][1].GetInt32(), summary.DistanceProfile[b].LesionSlices);
        }
    }

    private static void MeanStdNear(JsonElement reference, MeanStd ours, string what)
    {
        Near(reference[0], ours.Mean, what + " mean");
        Near(reference[1], ours.Std, what + " std");
        Assert.Equal(reference[2].GetInt32(), ours.Count);
    }

    /// <summary>null in the reference (undefined) must be NaN here, and a number must match to 1e-6.</summary>
    private static void Near(JsonElement reference, double actual, string what)
    {
        if (reference.ValueKind == JsonValueKind.Null)
        {
            Assert.True(double.IsNaN(actual), $"{what}: reference is undefined, Zsad gave {actual}");
            return;
        }
        var expected = reference.GetDouble();
        Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{what}: reference {expected}, Zsad {actual}");
    }
}
