using System.Globalization;
using Zsad.Reporter.Evaluation;
using Zsad.Reporter.Metrics;

namespace Zsad.Reporter.Segmentation;

/// <summary>The score at or above which a voxel is segmented, and where it came from.</summary>
/// <param name="Value">Decision level: a voxel is abnormal when score &gt;= Value (the rule of the metrics).</param>
/// <param name="Source">"fixed", "calibrated" or "f1max" (how an operator can reproduce it).</param>
public sealed record SegmentationThreshold(float Value, string Source)
{
    /// <summary>Zsad's built-in detectors calibrate their maps so that 0.5 is the decision level.</summary>
    public const float CalibratedDecisionLevel = 0.5f;

    public static SegmentationThreshold Fixed(float value)
        => float.IsFinite(value) ? new(value, "fixed") : throw new ArgumentException($"threshold {value} is not a finite number");

    public static SegmentationThreshold Calibrated() => new(CalibratedDecisionLevel, "calibrated");

    /// <summary>The threshold reaching F1-max over every voxel of a labelled calibration set (maps in
    /// <paramref name="predictionDirectory"/>, BraTS-style truth in <paramref name="truthDirectory"/>).</summary>
    public static SegmentationThreshold FromCalibrationSet(string predictionDirectory, string truthDirectory)
    {
        var scores = new VoxelScores();
        foreach (var pair in EvaluationInputs.Discover(predictionDirectory, truthDirectory))
        {
            var (map, truth) = pair.Load();
            scores.Add(map.Data, truth);
        }
        if (scores.PositiveCount == 0)
            throw new ArgumentException($"the calibration set under {truthDirectory} has no lesion voxel: F1-max has no threshold to give");
        return new(scores.F1Max().Threshold, "f1max");
    }

    /// <summary>"0.37" (fixed), "calibrated", or "f1max:PRED_DIR:TRUTH_DIR".</summary>
    public static SegmentationThreshold Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (text.Equals("calibrated", StringComparison.OrdinalIgnoreCase))
            return Calibrated();
        if (text.StartsWith("f1max:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = text.Split(':', 3);
            if (parts.Length != 3)
                throw new ArgumentException($"threshold '{text}': expected f1max:PRED_DIR:TRUTH_DIR");
            return FromCalibrationSet(parts[1], parts[2]);
        }
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            return Fixed(value);
        throw new ArgumentException($"threshold '{text}' is neither a number, 'calibrated' nor 'f1max:PRED_DIR:TRUTH_DIR'");
    }

    public override string ToString() => FormattableString.Invariant($"{Value:R} ({Source})");
}
