using System.Numerics.Tensors;
using Zsad.Inference.Bundles;

namespace Zsad.Inference.Heads;

/// <summary>MVFA. The encoder graph holds the backbone with its residual adapters and yields the segmentation adapter
/// features per layer. Zero-shot map Z: per layer L2, logits f.T/0.01, bilinear upsampling (align_corners True),
/// softmax, p_a; summed over layers. Few-shot (MVFA-AD test_few.py, seg head; bundle with a memory bank of normal
/// seg-adapter features): F = per layer min over the memory of (1 - cos), upsampled, summed; the authors combine
/// 0.5 minmax(Z) + 0.5 minmax(F) with min and max over the whole test set, which a per-volume service cannot; here
/// the maps' fixed ranges stand in: 0.5 Z / L + 0.5 F / 2L, in [0, 1]. Image score: max of the map (the authors' rule
/// in few-shot; DETECTORS.md records none for zero-shot).</summary>
public sealed class MvfaHead : ClipHead
{
    private readonly float[] _layerMap;
    private readonly float[] _fewMap;
    private readonly float[] _distances;
    private readonly FeatureMemory[]? _memory;

    public MvfaHead(DetectorBundle bundle) : base(bundle)
    {
        _layerMap = new float[Size * Size];
        _fewMap = new float[Size * Size];
        _distances = new float[Layers.Max(l => l.Grid * l.Grid)];
        if (bundle.MemoryBank is { } bank)
            _memory = FeatureMemory.PerLayer(bank, Layers.Select(l => l.Dim).ToArray());
    }

    public bool FewShot => _memory is not null;

    public override float MapScale => FewShot ? 1f : 1f / Layers.Count;

    public override float ScoreScale => MapScale;

    public override bool NeedsGlobal => false;

    public override float Run(IReadOnlyList<ReadOnlyMemory<float>> layerTokens, ReadOnlySpan<float> global, Span<float> map)
    {
        map.Clear();
        _fewMap.AsSpan().Clear();
        for (var l = 0; l < Layers.Count; l++)
        {
            var side = Layers[l].Grid;
            var grid = PatchLogits(l, layerTokens[l].Span);
            HeadMath.Upsample(grid, side, _layerMap, Size, AlignCorners);
            HeadMath.AbnormalProbability(_layerMap);
            TensorPrimitives.Add(map, _layerMap, map);
            if (_memory is not null)
            {
                var distances = _distances.AsSpan(0, side * side);
                _memory[l].MinCosineDistance(layerTokens[l].Span, distances);
                HeadMath.Upsample(distances, side, _layerMap, Size, AlignCorners);
                TensorPrimitives.Add(_fewMap, _layerMap, _fewMap);
            }
        }
        if (_memory is not null)
        {
            TensorPrimitives.Multiply(map, 0.5f / Layers.Count, map);
            TensorPrimitives.MultiplyAdd(_fewMap, 0.25f / Layers.Count, map, map);
        }
        return TensorPrimitives.Max((ReadOnlySpan<float>)map);
    }
}
