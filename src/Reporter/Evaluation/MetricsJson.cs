using System.Text.Json;
using Zsad.Reporter.Metrics;

namespace Zsad.Reporter.Evaluation;

/// <summary>metrics.json: per subject and overall. Undefined values (NaN) are written as null, since JSON has no NaN
/// and 0 would read as a measured value.</summary>
public static class MetricsJson
{
    public static byte[] Serialize(EvaluationSummary summary, float threshold, ReportNotes? notes = null)
    {
        notes ??= ReportNotes.Empty;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("threshold", threshold);
            w.WriteStartArray("warnings");
            foreach (var warning in notes.Warnings)
                w.WriteStringValue(warning);
            w.WriteEndArray();
            w.WriteStartArray("subjects");
            foreach (var s in summary.Subjects)
            {
                w.WriteStartObject();
                w.WriteString("id", s.SubjectId);
                if (notes.ImagePValues.TryGetValue(s.SubjectId, out var pValue))
                    w.WriteNumber("image_p_value", pValue);
                Number(w, "dice", s.Dice);
                Number(w, "sensitivity", s.Sensitivity);
                Number(w, "specificity", s.Specificity);
                Number(w, "ppv", s.Ppv);
                w.WriteNumber("true_positives", s.Confusion.TruePositives);
                w.WriteNumber("false_positives", s.Confusion.FalsePositives);
                w.WriteNumber("false_negatives", s.Confusion.FalseNegatives);
                w.WriteNumber("true_negatives", s.Confusion.TrueNegatives);
                w.WriteNumber("truth_voxels", s.LesionVoxels);
                w.WriteNumber("predicted_voxels", s.Confusion.PredictedCount);
                w.WriteStartObject("lesion_detection");
                w.WriteNumber("lesions", s.Lesions.Lesions);
                w.WriteNumber("detected", s.Lesions.Detected);
                Number(w, "sensitivity", s.Lesions.Sensitivity);
                w.WriteNumber("false_positives", s.Lesions.FalsePositives);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartObject("overall");
            w.WriteNumber("subjects", summary.Subjects.Count);
            Number(w, "auroc", summary.Auroc);
            Number(w, "f1max", summary.F1Max.F1);
            Number(w, "f1max_threshold", summary.F1Max.Threshold);
            MeanStd(w, "dice", summary.Dice);
            MeanStd(w, "sensitivity", summary.Sensitivity);
            MeanStd(w, "specificity", summary.Specificity);
            MeanStd(w, "ppv", summary.Ppv);
            Number(w, "size_dice_spearman", summary.SizeDiceSpearman);
            w.WriteStartObject("lesion_detection");
            w.WriteNumber("lesions", summary.Subjects.Sum(s => s.Lesions.Lesions));
            w.WriteNumber("detected", summary.Subjects.Sum(s => s.Lesions.Detected));
            Number(w, "sensitivity", summary.LesionSensitivity);
            Number(w, "false_positives_per_scan", summary.FalsePositivesPerScan);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartArray("distance_profile");
            foreach (var b in summary.DistanceProfile)
            {
                w.WriteStartObject();
                w.WriteNumber("from", b.From);
                w.WriteNumber("to", b.To);
                Number(w, "mean_dice", b.MeanDice);
                w.WriteNumber("lesion_slices", b.LesionSlices);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
            w.WriteNumber(name, value);
        else
            w.WriteNull(name);
    }

    private static void MeanStd(Utf8JsonWriter w, string name, MeanStd m)
    {
        w.WriteStartObject(name);
        Number(w, "mean", m.Mean);
        Number(w, "std", m.Std);
        w.WriteNumber("n", m.Count);
        w.WriteEndObject();
    }
}
