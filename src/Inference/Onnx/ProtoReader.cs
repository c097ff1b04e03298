using System.Buffers.Binary;
using System.Text;

namespace Zsad.Inference.Onnx;

/// <summary>Reads the fields of one protocol-buffer message in order, without allocating per field: values are
/// decoded as they come, payloads of length-delimited fields stay as offsets into the buffer. Only what ONNX
/// needs; malformed input throws <see cref="OnnxFormatException"/> with the byte offset.</summary>
public ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly ReadOnlySpan<byte> Buffer => _buffer;

    public bool Read(out ProtoField field)
    {
        if (_position >= _buffer.Length)
        {
            field = default;
            return false;
        }
        var keyOffset = _position;
        var key = ReadVarint();
        var number = (int)(key >> 3);
        if (number <= 0)
            throw new OnnxFormatException($"field number 0 at byte {keyOffset}");
        var wire = (ProtoWireType)(key & 7);
        switch (wire)
        {
            case ProtoWireType.Varint:
            {
                var start = _position;
                var v = ReadVarint();
                field = new ProtoField(number, wire, v, start, _position - start) { KeyOffset = keyOffset };
                return true;
            }
            case ProtoWireType.Fixed64:
                Need(8, keyOffset);
                field = new ProtoField(number, wire, BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Slice(_position, 8)), _position, 8) { KeyOffset = keyOffset };
                _position += 8;
                return true;
            case ProtoWireType.Fixed32:
                Need(4, keyOffset);
                field = new ProtoField(number, wire, BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Slice(_position, 4)), _position, 4) { KeyOffset = keyOffset };
                _position += 4;
                return true;
            case ProtoWireType.LengthDelimited:
            {
                var length = ReadVarint();
                if (length > int.MaxValue)
                    throw new OnnxFormatException($"field {number} at byte {keyOffset} claims {length} bytes");
                Need((int)length, keyOffset);
                field = new ProtoField(number, wire, length, _position, (int)length) { KeyOffset = keyOffset };
                _position += (int)length;
                return true;
            }
            default:
                throw new OnnxFormatException($"unsupported wire type {(int)wire} for field {number} at byte {keyOffset}");
        }
    }

    public readonly ReadOnlySpan<byte> Payload(ProtoField field) => _buffer.Slice(field.Offset, field.Length);

    public readonly string String(ProtoField field) => Encoding.UTF8.GetString(Payload(field));

    /// <summary>The whole field (key and payload) for verbatim copying.</summary>
    public readonly ReadOnlySpan<byte> Raw(ProtoField field) => _buffer[field.KeyOffset..(field.Offset + field.Length)];

    /// <summary>Repeated int64 values, packed (one length-delimited field) or not (one varint per field).</summary>
    public static void AddInt64s(in ProtoField field, ReadOnlySpan<byte> buffer, List<long> values)
    {
        if (field.WireType == ProtoWireType.Varint)
        {
            values.Add(field.Int64);
            return;
        }
        var inner = new ProtoReader(buffer.Slice(field.Offset, field.Length));
        while (inner._position < inner._buffer.Length)
            values.Add(unchecked((long)inner.ReadVarint()));
    }

    private ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _buffer.Length)
                throw new OnnxFormatException($"varint runs past the end at byte {_position}");
            var b = _buffer[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }
        throw new OnnxFormatException($"varint longer than 10 bytes at byte {_position}");
    }

    private readonly void Need(int count, int keyOffset)
    {
        if (count < 0 || _position + count > _buffer.Length)
            throw new OnnxFormatException($"field at byte {keyOffset} runs past the end of its message ({count} bytes wanted, {_buffer.Length - _position} left)");
    }
}
