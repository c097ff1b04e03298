using System.Text.Json.Serialization;

namespace Zsad.Inference.Bundles;

/// <summary>One window scale of a WinCLIP bundle: every <see cref="Scale"/> x <see cref="Scale"/> block of the
/// patch grid at a stride of <see cref="Stride"/> patches, whose embeddings the encoder yields as
/// <see cref="Output"/> [N, windows, embedDim] (windows row-major by their top-left patch). Few-shot bundles carry a
/// memory bank of window embeddings of normal slices at the same scale.</summary>
public sealed class ManifestWindow
{
    [JsonPropertyName("scale")] public int? Scale { get; set; }
    [JsonPropertyName("output")] public string? Output { get; set; }
    [JsonPropertyName("stride")] public int? Stride { get; set; }
    [JsonPropertyName("memoryBank")] public ManifestTensor? MemoryBank { get; set; }
}

/// <summary>A checked window scale: the grid it tiles, how many windows per axis, and its memory bank [M, embedDim]
/// (null in zero-shot bundles).</summary>
public sealed record BundleWindow(int Scale, int Stride, string Output, int Grid, float[]? MemoryBank)
{
    public int PerAxis => (Grid - Scale) / Stride + 1;

    public int Count => PerAxis * PerAxis;
}
