using System.Runtime.InteropServices;

namespace Zsad.Reporter.Metrics;

/// <summary>Pools voxel scores and labels of many volumes and computes the pixel-level AUROC and F1-max of the seed
/// paper exactly as sklearn's roc_auc_score and precision_recall_curve do (every distinct score is a threshold,
/// tied scores move together, a voxel is positive when score &gt;= threshold).</summary>
/// <remarks>Cost: the scores are kept, split by label, at 4 bytes per voxel (plus list growth slack) and sorted
/// once, O(N log N): 100 million voxels take about 400-800 MB and several seconds. An exact bounded-memory variant
/// (bucketing the sortable float bits over several passes) can replace this without changing results.</remarks>
public sealed class VoxelScores
{
    private readonly List<float> _positives = new();
    private readonly List<float> _negatives = new();
    private bool _sorted;

    public long PositiveCount => _positives.Count;

    public long NegativeCount => _negatives.Count;

    /// <summary>Adds one volume (or any set of voxels). NaN scores are refused, as sklearn refuses them.</summary>
    public void Add(ReadOnlySpan<float> scores, ReadOnlySpan<bool> truth)
    {
        if (scores.Length != truth.Length)
            throw new ArgumentException($"scores hold {scores.Length} voxels, truth {truth.Length}");
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (float.IsNaN(s))
                throw new ArgumentException($"score {i} is NaN: AUROC and F1-max are undefined for NaN scores");
            (truth[i] ? _positives : _negatives).Add(s);
        }
        _sorted = false;
    }

    /// <summary>Area under the ROC curve by the trapezoidal rule over all distinct thresholds (ties count half, as in
    /// sklearn). NaN when only one class is present — sklearn raises "Only one class present in y_true" there.</summary>
    public double Auroc()
    {
        if (_positives.Count == 0 || _negatives.Count == 0)
            return double.NaN;
        double area = 0;
        Walk((_, tp, fp, previousTp, previousFp) => area += (fp - previousFp) * (tp + previousTp) / 2.0);
        return area / ((double)_positives.Count * _negatives.Count);
    }

    /// <summary>The largest F1 = 2PR / (P + R) over the thresholds of precision_recall_curve; thresholds where F1 is
    /// undefined (no true positive) count as 0, so F1-max is 0 when the truth is empty. Among equal F1 values the
    /// lowest threshold wins (numpy.argmax over sklearn's increasing thresholds). NaN threshold when there are no voxels.</summary>
    public F1MaxResult F1Max()
    {
        var positives = (double)_positives.Count;
        double best = 0;
        var threshold = float.NaN;
        Walk((t, tp, fp, _, _) =>
        {
            var precision = tp / (tp + fp);
            var recall = positives == 0 ? 1.0 : tp / positives; // sklearn sets recall to 1 when y_true has no positive
            var f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            if (f1 >= best)
            {
                best = f1;
                threshold = t;
            }
        });
        return new F1MaxResult(best, threshold);
    }

    /// <summary>Visits each distinct score from the highest down with the cumulative true/false positive counts
    /// at that threshold and at the previous (higher) one.</summary>
    private void Walk(Action<float, double, double, double, double> visit)
    {
        if (!_sorted)
        {
            CollectionsMarshal.AsSpan(_positives).Sort();
            CollectionsMarshal.AsSpan(_negatives).Sort();
            _sorted = true;
        }
        var pos = CollectionsMarshal.AsSpan(_positives);
        var neg = CollectionsMarshal.AsSpan(_negatives);
        int i = pos.Length - 1, j = neg.Length - 1;
        long tp = 0, fp = 0;
        while (i >= 0 || j >= 0)
        {
            var t = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.Max(pos[i], neg[j]);
            long previousTp = tp, previousFp = fp;
            while (i >= 0 && pos[i] == t)
            {
                tp++;
                i--;
            }
            while (j >= 0 && neg[j] == t)
            {
                fp++;
                j--;
            }
            visit(t, tp, fp, previousTp, previousFp);
        }
    }
}
