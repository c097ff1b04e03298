using Zsad.Reporter.Metrics;

namespace Zsad.Reporter.Evaluation;

/// <summary>Evaluates a folder of predictions against BraTS-style truth with the seed paper's protocol.</summary>
public static class EvaluationRunner
{
    /// <summary>Subjects are loaded one at a time; only the pooled voxel scores stay in memory between them.
    /// Volumes are read in their stored order, slices being planes of constant k (axial for BraTS and for
    /// series written by Zsad); without an image, the brain extent of the distance profile is the whole volume.</summary>
    public static EvaluationSummary Run(string predictionDirectory, string truthDirectory, float threshold = 0.5f)
    {
        var evaluator = new MetricsEvaluator(threshold);
        foreach (var pair in EvaluationInputs.Discover(predictionDirectory, truthDirectory))
        {
            var (prediction, truth) = pair.Load();
            evaluator.Add(pair.Id, prediction.Data, truth, new VolumeShape(prediction.SizeX, prediction.SizeY, prediction.SizeZ));
        }
        return evaluator.Summarize();
    }
}
