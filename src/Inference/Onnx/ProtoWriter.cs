using System.Buffers;
using System.Text;

namespace Zsad.Inference.Onnx;

/// <summary>Appends protocol-buffer fields to a growing buffer; nested messages are built in their own writer
/// and written as bytes, which is how the graph editor re-frames the few messages it changes.</summary>
public sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public ProtoWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void WriteVarintField(int number, ulong value)
    {
        WriteVarint((ulong)number << 3 | (ulong)ProtoWireType.Varint);
        WriteVarint(value);
    }

    public void WriteBytesField(int number, ReadOnlySpan<byte> payload)
    {
        WriteVarint((ulong)number << 3 | (ulong)ProtoWireType.LengthDelimited);
        WriteVarint((ulong)payload.Length);
        _buffer.Write(payload);
    }

    public void WriteStringField(int number, string value) => WriteBytesField(number, Encoding.UTF8.GetBytes(value));

    /// <summary>Copies an already-encoded field (key included) unchanged.</summary>
    public void WriteRaw(ReadOnlySpan<byte> encodedField) => _buffer.Write(encodedField);

    private void WriteVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        _buffer.Advance(n);
    }
}
