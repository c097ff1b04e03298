namespace Zsad.Inference.Heads;

/// <summary>One slice through a CLIP bundle's encoder (<see cref="ClipDetector.EncodeSlices"/>).</summary>
/// <param name="Slice">Axial slice index in the volume.</param>
/// <param name="Outputs">Per manifest layer, grid² x dim patch tokens (no CLS), then the head's extra outputs
/// (<see cref="ClipHead.ExtraOutputs"/>: WinCLIP's window embeddings).</param>
/// <param name="Global">The global image embedding, empty when the head needs none.</param>
/// <param name="Text">This slice's [2, D] text features from the encoder (manifest textOutput), else empty.</param>
/// <param name="ViewGlobals">The global embeddings [22, D] of the slice's <see cref="AugmentedViews"/> (view 0 the
/// original) when the head averages over them (<see cref="ClipHead.NeedsViewGlobals"/>), else empty.</param>
public sealed record EncodedSlice(int Slice, IReadOnlyList<ReadOnlyMemory<float>> Outputs, ReadOnlyMemory<float> Global, ReadOnlyMemory<float> Text,
    ReadOnlyMemory<float> ViewGlobals = default);
