using Zsad.Imaging.Filters;
namespace Zsad.Reporter.Metrics;

/// <summary>Runs the seed paper's protocol over subjects added one at a time: per-subject metrics at a threshold,
/// pooled voxel scores for AUROC and F1-max. Only the pooled scores are kept between subjects.</summary>
public sealed class MetricsEvaluator(float threshold, Connectivity connectivity = Connectivity.Full26, int distanceBins = 10)
{
    private readonly VoxelScores _scores = new();
    private readonly List<SubjectMetrics> _subjects = new();

    public float Threshold { get; } = threshold;

    /// <summary>Adds a subject: anomaly scores, truth mask and optional brain mask, all flat in <paramref name="shape"/>
    /// order. A voxel is predicted abnormal when its score is &gt;= the threshold.</summary>
    public SubjectMetrics Add(string subjectId, ReadOnlySpan<float> scores, ReadOnlySpan<bool> truth, VolumeShape shape, ReadOnlySpan<bool> brainMask = default)
    {
        shape.Check(scores.Length, $"scores of {subjectId}");
        shape.Check(truth.Length, $"truth of {subjectId}");
        var prediction = new bool[scores.Length];
        for (var i = 0; i < scores.Length; i++)
            prediction[i] = scores[i] >= Threshold;
        _scores.Add(scores, truth);
        var subject = new SubjectMetrics(subjectId, Confusion.Count(prediction, truth),
            LesionDetection.Evaluate(prediction, truth, shape, connectivity),
            SliceDice.PerSlice(prediction, truth, shape, brainMask));
        _subjects.Add(subject);
        return subject;
    }

    public EvaluationSummary Summarize()
    {
        var lesions = _subjects.Sum(s => s.Lesions.Lesions);
        return new EvaluationSummary(
            _subjects.ToArray(),
            MeanStd.Of(_subjects.Select(s => s.Dice)),
            MeanStd.Of(_subjects.Select(s => s.Sensitivity)),
            MeanStd.Of(_subjects.Select(s => s.Specificity)),
            MeanStd.Of(_subjects.Select(s => s.Ppv)),
            _scores.Auroc(),
            _scores.F1Max(),
            DistanceProfile.Compute(_subjects.SelectMany(s => s.Slices), distanceBins),
            Spearman.Correlation(_subjects.Select(s => (double)s.LesionVoxels).ToArray(), _subjects.Select(s => s.Dice).ToArray()),
            lesions == 0 ? double.NaN : (double)_subjects.Sum(s => s.Lesions.Detected) / lesions,
            _subjects.Count == 0 ? double.NaN : _subjects.Average(s => (double)s.Lesions.FalsePositives));
    }
}
