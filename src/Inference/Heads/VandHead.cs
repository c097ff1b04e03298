using Zsad.Inference.Bundles;

namespace Zsad.Inference.Heads;

/// <summary>VAND / APRIL-GAN. Zero-shot: per layer a trained Linear adapter on the raw tokens, L2, logits f.T/0.01,
/// bilinear upsampling of the logits (align_corners True), softmax, p_a; summed over layers. Few-shot (bundle with a
/// memory bank of normal raw tokens): per layer min over the memory of (1 - cos), upsampled, summed, added to the
/// zero-shot map. Image score softmax(100 g.T)[a]; few-shot 0.5 (p_img + max map / 3L), where the fixed range of
/// the map (L from the probabilities, 2L from the distances) stands in for the authors' min-max over the test set.</summary>
public sealed class VandHead : ClipHead
{
    private readonly float[][] _weights;
    private readonly float[][] _biases;
    private readonly FeatureMemory[]? _memory;
    private readonly float[] _features;
    private readonly float[] _grid;
    private readonly float[] _layerMap;

    public VandHead(DetectorBundle bundle) : base(bundle)
    {
        _weights = bundle.Layers.Select(l => Adapter($"{l.Name}.weight", required: true)).ToArray();
        _biases = bundle.Layers.Select(l => Adapter($"{l.Name}.bias", required: false)).ToArray();
        var maxPatches = Layers.Max(l => l.Grid * l.Grid);
        _features = new float[maxPatches * EmbedDim];
        _grid = new float[maxPatches];
        _layerMap = new float[Size * Size];
        if (bundle.MemoryBank is { } bank)
            _memory = FeatureMemory.PerLayer(bank, Layers.Select(l => l.Dim).ToArray());
    }

    public bool FewShot => _memory is not null;

    public override float MapScale => 1f / ((FewShot ? 3 : 1) * Layers.Count);

    public override bool NeedsGlobal => true;

    public override float Run(IReadOnlyList<ReadOnlyMemory<float>> layerTokens, ReadOnlySpan<float> global, Span<float> map)
    {
        map.Clear();
        var layerMap = _layerMap.AsSpan();
        for (var l = 0; l < Layers.Count; l++)
        {
            var (side, dim) = Layers[l];
            var patches = side * side;
            var tokens = layerTokens[l].Span;
            var f = _features.AsSpan(0, patches * EmbedDim);
            HeadMath.Linear(tokens, dim, _weights[l], _biases[l], EmbedDim, f);
            HeadMath.L2NormalizeRows(f, EmbedDim);
            var grid = _grid.AsSpan(0, patches);
            HeadMath.LogitDifference(f, EmbedDim, TextFor(l), Temperature, grid);
            HeadMath.Upsample(grid, side, layerMap, Size, AlignCorners);
            HeadMath.AbnormalProbability(layerMap);
            System.Numerics.Tensors.TensorPrimitives.Add(map, layerMap, map);
            if (_memory is not null)
            {
                _memory[l].MinCosineDistance(tokens, grid);
                HeadMath.Upsample(grid, side, layerMap, Size, AlignCorners);
                System.Numerics.Tensors.TensorPrimitives.Add(map, layerMap, map);
            }
        }
        var score = GlobalSoftmax(global);
        if (_memory is not null)
            score = 0.5f * (score + System.Numerics.Tensors.TensorPrimitives.Max((ReadOnlySpan<float>)map) / (3 * Layers.Count));
        return score;
    }
}
