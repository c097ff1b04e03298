using System.Numerics.Tensors;
using Zsad.Inference.Bundles;

namespace Zsad.Inference.Heads;

/// <summary>MVFA zero-shot. The encoder graph holds the backbone with its residual adapters and yields the
/// segmentation adapter features per layer. Per layer: L2, logits f.T/0.01, bilinear upsampling (align_corners
/// True), softmax, p_a; summed over layers. The authors min-max normalise over the whole test set, which a
/// per-volume service cannot; here the fixed range [0, L] is used. Image score: max of the map (DETECTORS.md does
/// not record MVFA's image rule).</summary>
public sealed class MvfaHead : ClipHead
{
    private readonly float[] _layerMap;

    public MvfaHead(DetectorBundle bundle) : base(bundle)
    {
        _layerMap = new float[Size * Size];
    }

    public override float MapScale => 1f / Layers.Count;

    public override float ScoreScale => 1f / Layers.Count;

    public override bool NeedsGlobal => false;

    public override float Run(IReadOnlyList<ReadOnlyMemory<float>> layerTokens, ReadOnlySpan<float> global, Span<float> map)
    {
        map.Clear();
        for (var l = 0; l < Layers.Count; l++)
        {
            var side = Layers[l].Grid;
            var grid = PatchLogits(l, layerTokens[l].Span);
            HeadMath.Upsample(grid, side, _layerMap, Size, AlignCorners);
            HeadMath.AbnormalProbability(_layerMap);
            TensorPrimitives.Add(map, _layerMap, map);
        }
        return TensorPrimitives.Max((ReadOnlySpan<float>)map);
    }
}
