namespace Zsad.Inference.Heads;

/// <summary>One slice through a CLIP bundle's encoder (<see cref="ClipDetector.EncodeSlices"/>).</summary>
/// <param name="Slice">Axial slice index in the volume.</param>
/// <param name="Outputs">Per manifest layer, grid² x dim patch tokens (no CLS), then the head's extra outputs
/// (<see cref="ClipHead.ExtraOutputs"/>: WinCLIP's window embeddings).</param>
/// <param name="Global">The global image embedding, empty when the head needs none.</param>
/// <param name="Text">This slice's [2, D] text features from the encoder (manifest textOutput), else empty.</param>
public sealed record EncodedSlice(int Slice, IReadOnlyList<ReadOnlyMemory<float>> Outputs, ReadOnlyMemory<float> Global, ReadOnlyMemory<float> Text);
