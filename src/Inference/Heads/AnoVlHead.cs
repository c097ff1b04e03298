using System.Numerics.Tensors;
using Zsad.Inference.Bundles;

namespace Zsad.Inference.Heads;

/// <summary>AnoVL without its test-time adapter. The encoder yields ln_post(value-value tokens) @ proj (layer 12
/// on ViT-B-16-plus-240). Per layer: softmax(f.T) with no temperature, p_a, replicate-padded 3x3 mean, bilinear
/// upsampling with align_corners True. Image score: softmax(g.T)[a] of the single unaugmented view (the authors
/// average 22 augmented views, which this head does not run).</summary>
public sealed class AnoVlHead : ClipHead
{
    private readonly float[] _smoothed;
    private readonly float[] _layerMap;

    public AnoVlHead(DetectorBundle bundle) : base(bundle)
    {
        _smoothed = new float[Layers.Max(l => l.Grid * l.Grid)];
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
            var smoothed = _smoothed.AsSpan(0, side * side);
            HeadMath.ReplicateMean3x3(grid, side, smoothed);
            HeadMath.Upsample(smoothed, side, _layerMap, Size, AlignCorners);
            TensorPrimitives.Add(map, _layerMap, map);
        }
        return GlobalSoftmax(global);
    }
}
