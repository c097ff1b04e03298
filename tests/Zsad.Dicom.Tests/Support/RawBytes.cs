using System.Buffers.Binary;
using System.Text;

namespace Zsad.Dicom.Tests.Support;

/// <summary>Hand-assembles encoded datasets, so reader tests control every byte.</summary>
public sealed class RawBytes
{
    private readonly List<byte> _bytes = new();

    public int Length => _bytes.Count;

    public RawBytes U16(ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); _bytes.AddRange(b.ToArray()); return this; }
    public RawBytes U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); _bytes.AddRange(b.ToArray()); return this; }
    public RawBytes Tag(ushort g, ushort e) => U16(g).U16(e);
    public RawBytes Bytes(params byte[] b) { _bytes.AddRange(b); return this; }
    public RawBytes Ascii(string s) => Bytes(Encoding.ASCII.GetBytes(s));

    /// <summary>Explicit VR LE element with a 2-byte length.</summary>
    public RawBytes Short(ushort g, ushort e, string vr, string value) => Tag(g, e).Ascii(vr).U16((ushort)value.Length).Ascii(value);

    /// <summary>Explicit VR LE header with a 4-byte length (OB, SQ, UN, ...).</summary>
    public RawBytes Long(ushort g, ushort e, string vr, uint length) => Tag(g, e).Ascii(vr).U16(0).U32(length);

    /// <summary>Implicit VR LE element.</summary>
    public RawBytes Implicit(ushort g, ushort e, string value) => Tag(g, e).U32((uint)value.Length).Ascii(value);

    public RawBytes Item(uint length) => Tag(0xFFFE, 0xE000).U32(length);
    public RawBytes ItemEnd() => Tag(0xFFFE, 0xE00D).U32(0);
    public RawBytes SequenceEnd() => Tag(0xFFFE, 0xE0DD).U32(0);

    public byte[] ToArray() => _bytes.ToArray();
}
