using System.Numerics.Tensors;
using Zsad.Inference.Bundles;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Heads;

/// <summary>AnomalyCLIP. The encoder already yields ln_post(value-value tokens) @ proj per layer. Per layer:
/// p = softmax(f.T / 0.07) per patch, p_a upsampled bilinearly with align_corners False (probabilities, not logits),
/// summed over layers, then Gaussian sigma 4 (scipy reflect, radius 16). Image score softmax(g.T / 0.07)[a].</summary>
public sealed class AnomalyClipHead : ClipHead
{
    private readonly float[] _layerMap;

    public AnomalyClipHead(DetectorBundle bundle) : base(bundle)
    {
        _layerMap = new float[Size * Size];
    }

    public override float MapScale => 1f / Layers.Count;

    public override bool NeedsGlobal => true;

    public override float Run(IReadOnlyList<ReadOnlyMemory<float>> layerTokens, ReadOnlySpan<float> global, Span<float> map)
    {
        map.Clear();
        for (var l = 0; l < Layers.Count; l++)
        {
            var side = Layers[l].Grid;
            var grid = PatchLogits(l, layerTokens[l].Span);
            HeadMath.AbnormalProbability(grid);
            HeadMath.Upsample(grid, side, _layerMap, Size, AlignCorners);
            TensorPrimitives.Add(map, _layerMap, map);
        }
        GaussianBlur2D.Apply(map, Size, Size, Sigma);
        return GlobalSoftmax(global);
    }
}
