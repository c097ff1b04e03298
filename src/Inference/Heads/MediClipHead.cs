using System.Numerics.Tensors;
using Zsad.Inference.Bundles;

namespace Zsad.Inference.Heads;

/// <summary>MediCLIP. Per layer a Conv1x1 adapter (a Linear per patch) on the raw tokens, L2, logits f.T with no
/// temperature; the logits (not probabilities) are averaged over layers, upsampled bilinearly, then softmax and
/// p_a. Image score max(p_a).</summary>
public sealed class MediClipHead : ClipHead
{
    private readonly float[][] _weights;
    private readonly float[][] _biases;
    private readonly float[] _features;
    private readonly float[] _grid;
    private readonly float[] _sum;

    public MediClipHead(DetectorBundle bundle) : base(bundle)
    {
        _weights = bundle.Layers.Select(l => Adapter($"{l.Name}.weight", required: true)).ToArray();
        _biases = bundle.Layers.Select(l => Adapter($"{l.Name}.bias", required: false)).ToArray();
        if (Layers.Any(l => l.Grid != Layers[0].Grid))
            throw new BundleException($"detector bundle {bundle.Directory}: mediclip averages logits over layers, which needs one grid for all layers");
        var patches = Layers[0].Grid * Layers[0].Grid;
        _features = new float[patches * EmbedDim];
        _grid = new float[patches];
        _sum = new float[patches];
    }

    public override float MapScale => 1f;

    public override bool NeedsGlobal => false;

    public override float Run(IReadOnlyList<ReadOnlyMemory<float>> layerTokens, ReadOnlySpan<float> global, Span<float> map)
    {
        var side = Layers[0].Grid;
        _sum.AsSpan().Clear();
        for (var l = 0; l < Layers.Count; l++)
        {
            HeadMath.Linear(layerTokens[l].Span, Layers[l].Dim, _weights[l], _biases[l], EmbedDim, _features);
            HeadMath.L2NormalizeRows(_features, EmbedDim);
            HeadMath.LogitDifference(_features, EmbedDim, TextFor(l), Temperature, _grid);
            TensorPrimitives.Add(_sum, _grid, _sum);
        }
        TensorPrimitives.Divide(_sum, Layers.Count, _sum);
        HeadMath.Upsample(_sum, side, map, Size, AlignCorners);
        HeadMath.AbnormalProbability(map);
        return TensorPrimitives.Max((ReadOnlySpan<float>)map);
    }
}
