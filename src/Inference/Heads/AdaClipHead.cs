using System.Numerics.Tensors;
using Zsad.Inference.Bundles;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Heads;

/// <summary>AdaCLIP. The encoder graph runs both visual passes and the prompted text pass (docs/bundle-format.md):
/// per layer the patch tokens after Linear_k, the global feature after the CLS Linear, and this image's text
/// features [2, D] (set by <see cref="ClipHead.SetImageText"/>). Map: 100 f_k.T per layer, bilinear (align_corners
/// True), mean over layers, softmax, p_a, Gaussian sigma 4. Image score, hybrid semantic fusion: p_a per patch from
/// the layer-mean logits, the top 100 patches, k-means (20) on their concatenated layer tokens, each cluster's
/// centre = mean of its members' tokens over all layers, c = L2(mean of the centres), score =
/// softmax(100 L2(0.2 c + 0.8 g).T)[a]. The k-means start is deterministic (<see cref="DeterministicKMeans"/>), not
/// sklearn's random one: the documented deviation.</summary>
public sealed class AdaClipHead : ClipHead
{
    public const int Clusters = 20;
    public const int PatchesPerCluster = 5;
    public const float ClusterWeight = 0.2f;

    private readonly float[][] _unit;
    private readonly float[] _layerLogits;
    private readonly float[] _meanLogits;
    private readonly float[] _patchProbability;
    private readonly int[] _order;
    private readonly float[] _fused;
    private readonly float[] _global;
    private readonly double[] _points;
    private readonly double[] _centre;
    private readonly double[] _centreSum;

    public AdaClipHead(DetectorBundle bundle) : base(bundle)
    {
        if (Layers.Any(l => l.Grid != Layers[0].Grid || l.Dim != EmbedDim))
            throw new BundleException($"detector bundle {bundle.Directory}: adaclip averages logits over layers and clusters their concatenated tokens, which needs one grid for all layers and tokens of width embedDim ({EmbedDim}, after Linear_k)");
        var patches = Layers[0].Grid * Layers[0].Grid;
        _unit = Layers.Select(_ => new float[patches * EmbedDim]).ToArray();
        _layerLogits = new float[patches];
        _meanLogits = new float[patches];
        _patchProbability = new float[patches];
        _order = new int[patches];
        _fused = new float[EmbedDim];
        _global = new float[EmbedDim];
        _points = new double[Math.Min(patches, Clusters * PatchesPerCluster) * Layers.Count * EmbedDim];
        _centre = new double[EmbedDim];
        _centreSum = new double[EmbedDim];
    }

    public override float MapScale => 1f;

    public override bool NeedsGlobal => true;

    public override float Run(IReadOnlyList<ReadOnlyMemory<float>> layerTokens, ReadOnlySpan<float> global, Span<float> map)
    {
        var side = Layers[0].Grid;
        _meanLogits.AsSpan().Clear();
        for (var l = 0; l < Layers.Count; l++)
        {
            layerTokens[l].Span.CopyTo(_unit[l]);
            HeadMath.L2NormalizeRows(_unit[l], EmbedDim);
            HeadMath.LogitDifference(_unit[l], EmbedDim, Text, Temperature, _layerLogits);
            TensorPrimitives.Add(_meanLogits, _layerLogits, _meanLogits);
        }
        TensorPrimitives.Divide(_meanLogits, Layers.Count, _meanLogits);
        // Upsampling is linear, so the mean of the upsampled layer logits is the upsampled mean.
        HeadMath.Upsample(_meanLogits, side, map, Size, AlignCorners);
        HeadMath.AbnormalProbability(map);
        GaussianBlur2D.Apply(map, Size, Size, Sigma);
        return HybridSemanticFusion(global);
    }

    private float HybridSemanticFusion(ReadOnlySpan<float> global)
    {
        _meanLogits.CopyTo(_patchProbability);
        HeadMath.AbnormalProbability(_patchProbability);
        for (var p = 0; p < _order.Length; p++)
            _order[p] = p;
        var probability = _patchProbability;
        // Descending p_a, ties by patch index, so the k-means start is reproducible.
        Array.Sort(_order, (a, b) => probability[b].CompareTo(probability[a]) is var c && c != 0 ? c : a.CompareTo(b));
        var top = Math.Min(_order.Length, Clusters * PatchesPerCluster);
        var width = Layers.Count * EmbedDim;
        var points = _points;
        for (var i = 0; i < top; i++)
            for (var l = 0; l < Layers.Count; l++)
            {
                var token = _unit[l].AsSpan(_order[i] * EmbedDim, EmbedDim);
                for (var d = 0; d < EmbedDim; d++)
                    points[i * width + l * EmbedDim + d] = token[d];
            }
        var labels = DeterministicKMeans.Cluster(points, width, Clusters, out var clusters);

        // Each cluster's centre is the mean over its members and over the layers (D wide); c is the mean of the
        // centres of the non-empty clusters.
        var (centre, centreSum) = (_centre, _centreSum);
        Array.Clear(centreSum);
        var used = 0;
        for (var j = 0; j < clusters; j++)
        {
            Array.Clear(centre);
            var rows = 0;
            for (var i = 0; i < top; i++)
            {
                if (labels[i] != j)
                    continue;
                for (var l = 0; l < Layers.Count; l++)
                    for (var d = 0; d < EmbedDim; d++)
                        centre[d] += points[i * width + l * EmbedDim + d];
                rows += Layers.Count;
            }
            if (rows == 0)
                continue;
            for (var d = 0; d < EmbedDim; d++)
                centreSum[d] += centre[d] / rows;
            used++;
        }
        var fused = _fused.AsSpan();
        for (var d = 0; d < EmbedDim; d++)
            fused[d] = (float)(centreSum[d] / used);
        HeadMath.L2NormalizeRows(fused, EmbedDim);
        var g = _global.AsSpan();
        global.CopyTo(g);
        HeadMath.L2NormalizeRows(g, EmbedDim);
        TensorPrimitives.Multiply(fused, ClusterWeight, fused);
        TensorPrimitives.MultiplyAdd(g, 1 - ClusterWeight, fused, fused);
        HeadMath.L2NormalizeRows(fused, EmbedDim);
        Span<float> difference = stackalloc float[1];
        HeadMath.LogitDifference(fused, EmbedDim, Text, Temperature, difference);
        HeadMath.AbnormalProbability(difference);
        return difference[0];
    }
}
