using Zsad.Inference.Bundles;

namespace Zsad.Inference.Heads;

/// <summary>One CLIP method's head: from the encoder outputs of one slice to the method's 2D map at the encoder's
/// input size and its image score, both on the method's own scale (e.g. a sum of per-layer probabilities), exactly
/// as DETECTORS.md records the authors' code. <see cref="MapScale"/> and <see cref="ScoreScale"/> bring them into
/// [0, 1] for the service; they are monotone, so rankings (AUROC) do not change. Reuses buffers: one head per
/// detector, not thread-safe.</summary>
public abstract class ClipHead
{
    protected ClipHead(DetectorBundle bundle)
    {
        var m = bundle.Manifest;
        Bundle = bundle;
        Size = m.Input!.Size!.Value;
        EmbedDim = m.EmbedDim!.Value;
        Temperature = (float)m.Temperature!.Value;
        AlignCorners = m.UpsampleAlignCorners ?? false;
        Sigma = m.SmoothingSigma ?? 0;
        Layers = bundle.Layers.Select(l => (l.Grid!.Value, l.Dim!.Value)).ToArray();
        NeedsImageText = m.TextOutput is not null;
        Text = NeedsImageText ? new float[2 * EmbedDim]
            : bundle.TextFeatures ?? throw new BundleException($"detector bundle {bundle.Directory}: method '{m.Method}' needs textFeatures");
        PerLayerText = !NeedsImageText && bundle.TextFeaturesShape is { Count: 3 };
        _global = new float[EmbedDim];
    }

    private readonly float[] _global;

    public DetectorBundle Bundle { get; }

    /// <summary>S: the map is S x S, the encoder's input grid.</summary>
    public int Size { get; }

    public int EmbedDim { get; }

    public float Temperature { get; }

    public bool AlignCorners { get; }

    public double Sigma { get; }

    /// <summary>(grid side, token width) per layer, in manifest order.</summary>
    public IReadOnlyList<(int Grid, int Dim)> Layers { get; }

    /// <summary>Multiplies the raw map into [0, 1].</summary>
    public abstract float MapScale { get; }

    /// <summary>Multiplies the raw image score into [0, 1].</summary>
    public virtual float ScoreScale => 1f;

    /// <summary>Whether <see cref="Run"/> reads the encoder's global embedding.</summary>
    public abstract bool NeedsGlobal { get; }

    /// <summary>Whether the text features come from the encoder per image (manifest textOutput, AdaCLIP): then
    /// <see cref="SetImageText"/> must be called before each <see cref="Run"/>.</summary>
    public bool NeedsImageText { get; }

    /// <summary>This slice's [2, D] text features (normal, abnormal) from the encoder's text output.</summary>
    public void SetImageText(ReadOnlySpan<float> text)
    {
        if (!NeedsImageText)
            throw new InvalidOperationException($"bundle '{Bundle.Name}' has static text features; it takes no per-image text");
        if (text.Length != Text.Length)
            throw new ArgumentException($"per-image text features hold {text.Length} values, [2, {EmbedDim}] needs {Text.Length}", nameof(text));
        text.CopyTo(Text);
    }
    /// <summary>Whether the image score averages over <see cref="AugmentedViews"/> (AnoVL's augmented-mean): then
    /// <see cref="SetViewGlobals"/> must be called before each <see cref="Run"/>.</summary>
    public virtual bool NeedsViewGlobals => false;

    /// <summary>This slice's global embeddings of its <see cref="AugmentedViews.Count"/> augmented views [22, D],
    /// view 0 the original.</summary>
    public virtual void SetViewGlobals(ReadOnlySpan<float> globals)
        => throw new InvalidOperationException($"bundle '{Bundle.Name}' scores a single view; it takes no augmented views");

    /// <summary>Encoder outputs the head reads besides the layers (name, shape per slice, what the dimensions are),
    /// passed to <see cref="Run"/> after the layer tokens: WinCLIP's window embeddings; none for the other heads.</summary>
    public virtual IReadOnlyList<(string Output, int[] ItemShape, string Meaning)> ExtraOutputs => [];

    protected float[] Text { get; }

    /// <summary>Called before <see cref="Run"/> with the axial slice index, for heads whose per-slice randomness
    /// (AnoVL's test-time adapter) is seeded by it.</summary>
    public virtual void StartSlice(int sliceIndex)
    {
    }

    protected bool PerLayerText { get; }

    /// <summary>[2, D] text rows (normal, abnormal) used with layer <paramref name="layer"/> (-1: the global feature,
    /// which uses the last layer's when the features are per layer).</summary>
    protected ReadOnlySpan<float> TextFor(int layer)
        => PerLayerText ? Text.AsSpan((layer < 0 ? Layers.Count - 1 : layer) * 2 * EmbedDim, 2 * EmbedDim) : Text.AsSpan(0, 2 * EmbedDim);

    /// <param name="layerTokens">Per layer, this slice's patch tokens [grid², dim] (CLS already dropped); then this
    /// slice's part of each <see cref="ExtraOutputs"/>.</param>
    /// <param name="global">This slice's global embedding [D], or empty when <see cref="NeedsGlobal"/> is false.</param>
    /// <param name="map">S x S raw map (method scale).</param>
    /// <returns>The raw image score.</returns>
    public abstract float Run(IReadOnlyList<ReadOnlyMemory<float>> layerTokens, ReadOnlySpan<float> global, Span<float> map);

    /// <summary>softmax(g.T / temperature)[a] with g L2-normalised: the zero-shot image score of VAND, AnomalyCLIP
    /// and AnoVL (single view).</summary>
    protected float GlobalSoftmax(ReadOnlySpan<float> global)
    {
        var buffer = _global.AsSpan();
        global.CopyTo(buffer);
        HeadMath.L2NormalizeRows(buffer, EmbedDim);
        Span<float> d = stackalloc float[1];
        HeadMath.LogitDifference(buffer, EmbedDim, TextFor(-1), Temperature, d);
        HeadMath.AbnormalProbability(d);
        return d[0];
    }

    private float[]? _unitTokens;
    private float[]? _patchLogits;

    /// <summary>The first step of the heads that compare raw tokens with text: layer <paramref name="layer"/>'s patch
    /// tokens L2-normalised, then the abnormal-minus-normal logit per patch at the head's temperature (grid² values,
    /// valid until the next call).</summary>
    protected Span<float> PatchLogits(int layer, ReadOnlySpan<float> tokens)
    {
        var (side, dim) = Layers[layer];
        _unitTokens ??= new float[Layers.Max(l => l.Grid * l.Grid * l.Dim)];
        _patchLogits ??= new float[Layers.Max(l => l.Grid * l.Grid)];
        var unit = _unitTokens.AsSpan(0, side * side * dim);
        tokens.CopyTo(unit);
        HeadMath.L2NormalizeRows(unit, dim);
        var logits = _patchLogits.AsSpan(0, side * side);
        HeadMath.LogitDifference(unit, dim, TextFor(layer), Temperature, logits);
        return logits;
    }

    protected float[] Adapter(string name, bool required)
    {
        if (Bundle.Adapters.TryGetValue(name, out var a))
            return a;
        return required ? throw new BundleException($"detector bundle {Bundle.Directory}: adapter '{name}' is missing") : [];
    }
}
