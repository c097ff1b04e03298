using System.Numerics.Tensors;
using Zsad.Inference.Bundles;

namespace Zsad.Inference.Heads;

/// <summary>WinCLIP, as zqhang/Accurate-WinCLIP-pytorch re-implements it (no official code; docs/detectors.md).
/// The encoder yields one embedding per window (CLS + the window's patches through the whole transformer) per scale.
/// Zero-shot, on the patch grid: per scale M_s = harmonic mean, over the windows covering a patch, of
/// softmax(f.T / t)[a]; fused with the global score z0 = softmax(g.T / t)[a] as (S + 1) / (sum_s 1/M_s + 1/z0)
/// (3 / (1/M3 + 1/M2 + 1/z0) for two scales); bilinear upsampling (align_corners False); image score z0.
/// Few-shot (memory banks per scale and of patch tokens): per window 0.5 (1 - max cos) against the same-scale
/// memory, harmonic mean per patch; per layer the patch tokens' 0.5 (1 - max cos); their mean is added to the
/// zero-shot grid; image score (z0 + max of the few-shot grid) / 2 (the WinCLIP+ rule).</summary>
public sealed class WinClipHead : ClipHead
{
    private readonly IReadOnlyList<BundleWindow> _windows;
    private readonly int _grid;
    private readonly FeatureMemory[]? _windowMemory;
    private readonly FeatureMemory[]? _tokenMemory;
    private readonly int[][] _windowPatches;
    private readonly float[][] _coverage;
    private readonly float[] _windowScores;
    private readonly float[] _inverseSum;
    private readonly float[] _perPatch;
    private readonly float[] _zero;
    private readonly float[] _few;

    public WinClipHead(DetectorBundle bundle) : base(bundle)
    {
        _windows = bundle.Windows.Count > 0 ? bundle.Windows : throw new BundleException($"detector bundle {bundle.Directory}: method 'winclip' needs windows");
        _grid = _windows[0].Grid;
        var patches = _grid * _grid;
        if (bundle.MemoryBank is { } bank)
        {
            _tokenMemory = FeatureMemory.PerLayer(bank, Layers.Select(l => l.Dim).ToArray());
            _windowMemory = _windows.Select(w => new FeatureMemory(w.MemoryBank!, EmbedDim)).ToArray();
        }
        _windowPatches = _windows.Select(WindowPatches).ToArray();
        _coverage = _windowPatches.Select(Coverage).ToArray();
        _windowScores = new float[_windows.Max(w => w.Count)];
        _inverseSum = new float[patches];
        _perPatch = new float[patches];
        _zero = new float[patches];
        _few = new float[patches];
    }

    public bool FewShot => _tokenMemory is not null;

    /// <summary>Zero-shot: a harmonic mean of probabilities, in [0, 1]; few-shot adds a mean of half distances in
    /// [0, 1].</summary>
    public override float MapScale => FewShot ? 0.5f : 1f;

    public override bool NeedsGlobal => true;

    public override IReadOnlyList<(string Output, int[] ItemShape, string Meaning)> ExtraOutputs
        => _windows.Select(w => (w.Output, new[] { w.Count, EmbedDim }, $"{w.PerAxis}x{w.PerAxis} windows of {w.Scale}x{w.Scale} patches at stride {w.Stride}, embedDim")).ToArray();

    public override float Run(IReadOnlyList<ReadOnlyMemory<float>> layerTokens, ReadOnlySpan<float> global, Span<float> map)
    {
        var z0 = GlobalSoftmax(global);
        // Zero-shot: accumulate 1/M_s per scale, then (S + 1) / (sum + 1/z0).
        var zero = _zero.AsSpan();
        zero.Fill(1f / z0);
        for (var s = 0; s < _windows.Count; s++)
        {
            var window = _windows[s];
            var scores = _windowScores.AsSpan(0, window.Count);
            var unit = UnitRows(layerTokens[Layers.Count + s].Span);
            HeadMath.LogitDifference(unit, EmbedDim, TextFor(-1), Temperature, scores);
            HeadMath.AbnormalProbability(scores);
            HarmonicMean(s, scores, _perPatch);
            TensorPrimitives.Reciprocal(_perPatch, _perPatch);
            TensorPrimitives.Add(zero, _perPatch, zero);
        }
        TensorPrimitives.Reciprocal(zero, zero);
        TensorPrimitives.Multiply(zero, _windows.Count + 1, zero);
        if (_tokenMemory is null)
        {
            HeadMath.Upsample(zero, _grid, map, Size, AlignCorners);
            return z0;
        }

        // Few-shot: the mean over the window scales and the layers of per-patch half distances.
        var few = _few.AsSpan();
        few.Clear();
        for (var s = 0; s < _windows.Count; s++)
        {
            var window = _windows[s];
            var distances = _windowScores.AsSpan(0, window.Count);
            _windowMemory![s].MinCosineDistance(layerTokens[Layers.Count + s].Span, distances);
            TensorPrimitives.Multiply(distances, 0.5f, distances);
            HarmonicMean(s, distances, _perPatch);
            TensorPrimitives.Add(few, _perPatch, few);
        }
        for (var l = 0; l < Layers.Count; l++)
        {
            _tokenMemory[l].MinCosineDistance(layerTokens[l].Span, _perPatch);
            TensorPrimitives.MultiplyAdd(_perPatch, 0.5f, few, few);
        }
        TensorPrimitives.Divide(few, _windows.Count + Layers.Count, few);
        var fewMax = TensorPrimitives.Max((ReadOnlySpan<float>)few);
        TensorPrimitives.Add(zero, few, zero);
        HeadMath.Upsample(zero, _grid, map, Size, AlignCorners);
        return 0.5f * (z0 + fewMax);
    }

    private float[]? _unit;

    private Span<float> UnitRows(ReadOnlySpan<float> rows)
    {
        if (_unit is null || _unit.Length < rows.Length)
            _unit = new float[rows.Length];
        var unit = _unit.AsSpan(0, rows.Length);
        rows.CopyTo(unit);
        HeadMath.L2NormalizeRows(unit, EmbedDim);
        return unit;
    }

    /// <summary>Per patch: (windows of scale number <paramref name="scaleIndex"/> covering it) / sum over them of 1 / score. A
    /// zero score makes the patch 0, as in the re-implementation (1/0 = inf).</summary>
    private void HarmonicMean(int scaleIndex, ReadOnlySpan<float> scores, Span<float> perPatch)
    {
        var inverse = _inverseSum.AsSpan();
        inverse.Clear();
        var patches = _windowPatches[scaleIndex];
        var cells = patches.Length / scores.Length;
        for (var w = 0; w < scores.Length; w++)
        {
            var reciprocal = 1f / scores[w];
            foreach (var patch in patches.AsSpan(w * cells, cells))
                inverse[patch] += reciprocal;
        }
        TensorPrimitives.Divide(_coverage[scaleIndex], inverse, perPatch);
    }

    /// <summary>[windows x scale²] patch indices: window (i, j), row-major by top-left patch, covers patches
    /// (stride i + dy, stride j + dx), dy, dx &lt; scale.</summary>
    private int[] WindowPatches(BundleWindow window)
    {
        var patches = new int[window.Count * window.Scale * window.Scale];
        var n = 0;
        for (var wy = 0; wy < window.PerAxis; wy++)
            for (var wx = 0; wx < window.PerAxis; wx++)
                for (var dy = 0; dy < window.Scale; dy++)
                    for (var dx = 0; dx < window.Scale; dx++)
                        patches[n++] = (wy * window.Stride + dy) * _grid + wx * window.Stride + dx;
        return patches;
    }

    /// <summary>How many windows cover each patch.</summary>
    private float[] Coverage(int[] windowPatches)
    {
        var count = new float[_grid * _grid];
        foreach (var patch in windowPatches)
            count[patch]++;
        return count;
    }
}
