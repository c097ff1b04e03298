using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Reporter.Segmentation;

namespace Zsad.Reporter.Evaluation;

/// <summary>One subject of an evaluation: its prediction (map or mask) and its BraTS-style truth label map.</summary>
public sealed record EvaluationPair(string Id, string PredictionPath, string TruthPath)
{
    /// <summary>The prediction as float scores and the truth as whole tumour (any label &gt; 0), on one grid.</summary>
    public (Volume<float> Prediction, bool[] Truth) Load()
    {
        var prediction = NiftiReader.Read(PredictionPath).ToSingle();
        var labels = NiftiReader.Read(TruthPath).ToSingle();
        if (GridComparison.Describe(prediction, labels, "truth") is { } problem)
            throw new ArgumentException($"{Id}: {problem}");
        var truth = new bool[labels.Data.Length];
        for (var v = 0; v < truth.Length; v++)
            truth[v] = labels.Data[v] > 0;
        for (var v = 0; v < prediction.Data.Length; v++)
            if (float.IsNaN(prediction.Data[v]))
                throw new ArgumentException($"{Id}: the prediction holds NaN at voxel {v}: AUROC and F1-max are undefined on NaN scores (sklearn refuses them too)");
        return (prediction, truth);
    }
}
