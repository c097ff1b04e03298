using Zsad.Inference.Bundles;

namespace Zsad.Inference.Heads;

/// <summary>Picks the head for a bundle's method and refuses a manifest whose map order, layer reduction or image
/// score contradicts what that method's code does (DETECTORS.md): a head hard-codes its order of operations, so a
/// manifest asking for another one would otherwise be silently ignored.</summary>
public static class ClipHeads
{
    /// <param name="FewShotImageScore">The imageScore of the method's few-shot mode (a bundle with a memoryBank);
    /// null: the method has none.</param>
    private sealed record Recipe(string MapOrder, string LayerReduction, string[] ImageScores, Func<DetectorBundle, ClipHead> Create, string? FewShotImageScore = null);

    private static readonly Dictionary<DetectorMethod, Recipe> Recipes = new()
    {
        [DetectorMethod.Vand] = new("upsample-then-softmax", "sum", ["global-softmax"], b => new VandHead(b), FewShotImageScore: "vand-few-shot"),
        [DetectorMethod.AnomalyClip] = new("softmax-then-upsample", "sum", ["global-softmax"], b => new AnomalyClipHead(b)),
        [DetectorMethod.AnoVl] = new("softmax-then-upsample", "sum", ["global-softmax", "augmented-mean"], b => new AnoVlHead(b)),
        [DetectorMethod.AdaClip] = new("upsample-then-softmax", "mean", ["hybrid-semantic-fusion"], b => new AdaClipHead(b)),
        [DetectorMethod.MediClip] = new("upsample-then-softmax", "mean", ["max-map"], b => new MediClipHead(b)),
        [DetectorMethod.Mvfa] = new("upsample-then-softmax", "sum", ["max-map"], b => new MvfaHead(b), FewShotImageScore: "max-map"),
        [DetectorMethod.WinClip] = new("softmax-then-upsample", "mean", ["global-softmax"], b => new WinClipHead(b), FewShotImageScore: "winclip-few-shot"),
    };

    public static bool IsImplemented(DetectorMethod method) => Recipes.ContainsKey(method);

    public static ClipHead Create(DetectorBundle bundle)
    {
        var m = bundle.Manifest;
        if (!Recipes.TryGetValue(bundle.Method, out var recipe))
            throw new NotSupportedException($"bundle '{bundle.Name}' (method {m.Method}) is valid, but the {m.Method} method head is not implemented in this build (implemented: {string.Join(", ", BundleVocabulary.Methods.Where(kv => Recipes.ContainsKey(kv.Value)).Select(kv => kv.Key))})");
        string Fail(string what) => $"detector bundle {bundle.Directory}: {what}";
        if (m.MapOrder != recipe.MapOrder)
            throw new BundleException(Fail($"method '{m.Method}' runs mapOrder '{recipe.MapOrder}', the manifest says '{m.MapOrder}'"));
        if (m.LayerReduction != recipe.LayerReduction)
            throw new BundleException(Fail($"method '{m.Method}' reduces layers by '{recipe.LayerReduction}', the manifest says '{m.LayerReduction}'"));
        var fewShot = bundle.MemoryBank is not null;
        if (fewShot && recipe.FewShotImageScore is null)
            throw new BundleException(Fail($"method '{m.Method}' has no few-shot mode, but the manifest has a memoryBank"));
        if (!fewShot && !recipe.ImageScores.Contains(m.ImageScore))
        {
            var fewShotHint = recipe.FewShotImageScore is { } f && f == m.ImageScore ? $" ('{f}' needs a memoryBank)" : "";
            throw new BundleException(Fail($"method '{m.Method}' implements imageScore {string.Join(" or ", recipe.ImageScores)}, not '{m.ImageScore}'{fewShotHint}"));
        }
        if (fewShot && m.ImageScore != recipe.FewShotImageScore)
            throw new BundleException(Fail($"method '{m.Method}' with a memoryBank (few-shot) implements imageScore '{recipe.FewShotImageScore}', not '{m.ImageScore}'"));
        if (m.UpsampleAlignCorners is null)
            throw new BundleException(Fail("manifest.json has no 'upsampleAlignCorners'"));
        return recipe.Create(bundle);
    }
}
