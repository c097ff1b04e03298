namespace Zsad.Inference.Heads;

/// <summary>One slice through a CLIP bundle's encoder (<see cref="ClipDetector.EncodeSlices"/>).</summary>
/// <param name="Slice">Axial slice index in the volume.</param>
/// <param name="Tokens">Per manifest layer, grid² x dim patch tokens (no CLS).</param>
/// <param name="Global">The global image embedding, empty when the head needs none.</param>
public sealed record EncodedSlice(int Slice, IReadOnlyList<ReadOnlyMemory<float>> Tokens, ReadOnlyMemory<float> Global);
