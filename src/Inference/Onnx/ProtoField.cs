namespace Zsad.Inference.Onnx;

/// <summary>One field as <see cref="ProtoReader"/> met it: its number, wire type, and either the varint/fixed value
/// or the position of its payload within the message being read (so large tensors are never copied).</summary>
public readonly record struct ProtoField(int Number, ProtoWireType WireType, ulong Value, int Offset, int Length)
{
    /// <summary>The whole encoded field, key included, for copying it verbatim into another message.</summary>
    public int KeyOffset { get; init; }

    public long Int64 => unchecked((long)Value);

    public float Single => BitConverter.Int32BitsToSingle(unchecked((int)Value));
}
