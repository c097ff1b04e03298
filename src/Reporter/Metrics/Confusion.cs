namespace Zsad.Reporter.Metrics;

/// <summary>Voxel counts of a binary prediction against the truth, and the overlap ratios the seed paper reports.
/// Undefined ratios are NaN (never 0), so that means over subjects can leave them out rather than be biased by them;
/// the one exception is <see cref="Dice"/>, which is 1 when truth and prediction are both empty.</summary>
public readonly record struct Confusion(long TruePositives, long FalsePositives, long FalseNegatives, long TrueNegatives)
{
    /// <summary>2TP / (2TP + FP + FN). Both empty (no truth, no prediction): 1 — nothing to find and nothing
    /// claimed is perfect agreement (the BraTS convention). Empty truth with a non-empty prediction: 0;
    /// non-empty truth with an empty prediction: 0.</summary>
    public double Dice
    {
        get
        {
            var denominator = 2 * TruePositives + FalsePositives + FalseNegatives;
            return denominator == 0 ? 1.0 : 2.0 * TruePositives / denominator;
        }
    }

    /// <summary>Sensitivity (recall, TPR) = TP / (TP + FN); NaN when the truth is empty.</summary>
    public double Sensitivity => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>Specificity (TNR) = TN / (TN + FP); NaN when every voxel is in the truth.</summary>
    public double Specificity => Ratio(TrueNegatives, TrueNegatives + FalsePositives);

    /// <summary>Positive predictive value (precision) = TP / (TP + FP); NaN when the prediction is empty.</summary>
    public double Ppv => Ratio(TruePositives, TruePositives + FalsePositives);

    public long TruthCount => TruePositives + FalseNegatives;

    public long PredictedCount => TruePositives + FalsePositives;

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? double.NaN : (double)numerator / denominator;

    public static Confusion operator +(Confusion a, Confusion b)
        => new(a.TruePositives + b.TruePositives, a.FalsePositives + b.FalsePositives, a.FalseNegatives + b.FalseNegatives, a.TrueNegatives + b.TrueNegatives);

    /// <summary>Counts a prediction against the truth, voxel by voxel.</summary>
    public static Confusion Count(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth)
    {
        if (prediction.Length != truth.Length)
            throw new ArgumentException($"prediction has {prediction.Length} voxels, truth {truth.Length}");
        long tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < truth.Length; i++)
            Tally(prediction[i], truth[i], ref tp, ref fp, ref fn);
        return new Confusion(tp, fp, fn, truth.Length - tp - fp - fn);
    }

    /// <summary>Thresholds scores (voxel predicted when score &gt;= threshold, as precision_recall_curve does) and counts.</summary>
    public static Confusion Count(ReadOnlySpan<float> scores, float threshold, ReadOnlySpan<bool> truth)
    {
        if (scores.Length != truth.Length)
            throw new ArgumentException($"scores hold {scores.Length} voxels, truth {truth.Length}");
        long tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < truth.Length; i++)
            Tally(scores[i] >= threshold, truth[i], ref tp, ref fp, ref fn);
        return new Confusion(tp, fp, fn, truth.Length - tp - fp - fn);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Tally(bool predicted, bool truth, ref long tp, ref long fp, ref long fn)
    {
        if (predicted)
        {
            if (truth)
                tp++;
            else
                fp++;
        }
        else if (truth)
        {
            fn++;
        }
    }
}
