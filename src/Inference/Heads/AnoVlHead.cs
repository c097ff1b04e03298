using System.Numerics.Tensors;
using Zsad.Inference.Bundles;

namespace Zsad.Inference.Heads;

/// <summary>AnoVL. The encoder yields ln_post(value-value tokens) @ proj (layer 12 on ViT-B-16-plus-240). Per
/// layer: softmax(f.T) with no temperature, p_a, replicate-padded 3x3 mean, bilinear upsampling with align_corners
/// True. With the manifest's testTimeAdapter, each layer's tokens are first adapted per image
/// (<see cref="TestTimeAdapter"/>), as the authors' map does; the image score stays unadapted, as theirs does.
/// Image score: softmax(g.T)[a] of the single view (imageScore global-softmax), or, as the authors do, its mean over
/// the 22 <see cref="AugmentedViews"/> of the slice (imageScore augmented-mean: 22 encoder runs per slice; the map
/// stays that of the original view).</summary>
public sealed class AnoVlHead : ClipHead
{
    private readonly float[] _smoothed;
    private readonly float[] _layerMap;
    private readonly TestTimeAdapter? _adapter;
    private readonly float[] _adapted;
    private readonly float[] _viewGlobals;
    private bool _viewGlobalsSet;

    public AnoVlHead(DetectorBundle bundle) : base(bundle)
    {
        _smoothed = new float[Layers.Max(l => l.Grid * l.Grid)];
        _layerMap = new float[Size * Size];
        _adapted = [];
        _viewGlobals = bundle.Manifest.ImageScore == "augmented-mean" ? new float[AugmentedViews.Count * EmbedDim] : [];
        if (bundle.Manifest.TestTimeAdapter is { } settings)
        {
            if (Layers.Any(l => l.Dim != EmbedDim))
                throw new BundleException($"detector bundle {bundle.Directory}: AnoVL's test-time adapter mixes prompt embeddings into the tokens, which needs tokens of width embedDim ({EmbedDim})");
            var prompts = bundle.PromptEmbeddings ?? throw new BundleException($"detector bundle {bundle.Directory}: testTimeAdapter needs promptEmbeddings");
            _adapter = new TestTimeAdapter(prompts, EmbedDim, settings, Temperature);
            _adapted = new float[Layers.Max(l => l.Grid * l.Grid) * EmbedDim];
        }
    }

    public bool AdaptsAtTestTime => _adapter is not null;

    /// <summary>The adapter's random draws. Null (the service): seeded from the slice index given to
    /// <see cref="StartSlice"/>, so a slice always gets the same map whatever ran before it or beside it.</summary>
    public IAdapterDraws? Draws { get; set; }

    private int _sliceIndex;

    public override void StartSlice(int sliceIndex) => _sliceIndex = sliceIndex;

    public override float MapScale => 1f / Layers.Count;

    public override bool NeedsGlobal => true;

    public override bool NeedsViewGlobals => _viewGlobals.Length > 0;

    public override void SetViewGlobals(ReadOnlySpan<float> globals)
    {
        if (!NeedsViewGlobals)
            base.SetViewGlobals(globals);
        if (globals.Length != _viewGlobals.Length)
            throw new ArgumentException($"augmented-view globals hold {globals.Length} values, [{AugmentedViews.Count}, {EmbedDim}] needs {_viewGlobals.Length}", nameof(globals));
        globals.CopyTo(_viewGlobals);
        _viewGlobalsSet = true;
    }

    public override float Run(IReadOnlyList<ReadOnlyMemory<float>> layerTokens, ReadOnlySpan<float> global, Span<float> map)
    {
        map.Clear();
        var draws = _adapter is null ? null : Draws ?? new SeededAdapterDraws(unchecked(_sliceIndex * 1_000_003 + 17));
        for (var l = 0; l < Layers.Count; l++)
        {
            var side = Layers[l].Grid;
            var tokens = layerTokens[l].Span;
            if (_adapter is not null)
            {
                var adapted = _adapted.AsSpan(0, tokens.Length);
                _adapter.Adapt(tokens, TextFor(l), adapted, draws!);
                tokens = adapted;
            }
            var grid = PatchLogits(l, tokens);
            HeadMath.AbnormalProbability(grid);
            var smoothed = _smoothed.AsSpan(0, side * side);
            HeadMath.ReplicateMean3x3(grid, side, smoothed);
            HeadMath.Upsample(smoothed, side, _layerMap, Size, AlignCorners);
            TensorPrimitives.Add(map, _layerMap, map);
        }
        if (!NeedsViewGlobals)
            return GlobalSoftmax(global);
        if (!_viewGlobalsSet)
            throw new InvalidOperationException($"bundle '{Bundle.Name}' averages its image score over augmented views: call SetViewGlobals before each Run");
        _viewGlobalsSet = false;
        var sum = 0f;
        for (var v = 0; v < AugmentedViews.Count; v++)
            sum += GlobalSoftmax(_viewGlobals.AsSpan(v * EmbedDim, EmbedDim));
        return sum / AugmentedViews.Count;
    }

}
