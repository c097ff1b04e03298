using Zsad.Imaging.Preprocessing;

namespace Zsad.Inference.Bundles;

/// <summary>A bundle that passed every check of <see cref="BundleLoader"/>: its manifest, resolved file paths, and
/// the small tensors (text features, adapters, memory bank) already read.</summary>
public sealed class DetectorBundle
{
    public required string Directory { get; init; }
    public required DetectorManifest Manifest { get; init; }
    public required DetectorMethod Method { get; init; }
    public required ResizeMode ResizeMode { get; init; }
    public required string EncoderPath { get; init; }
    public required IReadOnlyList<ManifestLayer> Layers { get; init; }
    public float[]? TextFeatures { get; init; }
    public IReadOnlyList<int>? TextFeaturesShape { get; init; }
    public IReadOnlyDictionary<string, float[]> Adapters { get; init; } = new Dictionary<string, float[]>();
    /// <summary>The few-shot memory of the CLIP heads. Null for feature-memory bundles: FeatureMemoryBundle reads
    /// their bank slice by slice.</summary>
    public float[]? MemoryBank { get; init; }
    /// <summary>[P, embedDim] per-prompt text embeddings, when the manifest has promptEmbeddings.</summary>
    public float[]? PromptEmbeddings { get; init; }
    /// <summary>WinCLIP's window scales in manifest order; empty for the other methods.</summary>
    public IReadOnlyList<BundleWindow> Windows { get; init; } = [];

    public string Name => Manifest.Name ?? Path.GetFileName(Directory);
}
