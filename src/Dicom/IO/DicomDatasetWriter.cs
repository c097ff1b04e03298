using System.Buffers;
using System.Buffers.Binary;

namespace Zsad.Dicom.IO;

/// <summary>Encodes a dataset in a transfer syntax's element encoding (the caller deflates when needed).
/// Sequences and items are written with undefined length; dataset group lengths are dropped because any
/// re-encoding invalidates them (PS3.5 7.2: they are optional outside groups 0000 and 0002).</summary>
public sealed class DicomDatasetWriter
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private readonly IBufferWriter<byte> _out;
    private readonly bool _explicit;
    private readonly bool _bigEndian;
    private readonly bool _keepGroupLengths;

    private DicomDatasetWriter(IBufferWriter<byte> output, bool explicitVR, bool bigEndian, bool keepGroupLengths)
    {
        _out = output;
        _explicit = explicitVR;
        _bigEndian = bigEndian;
        _keepGroupLengths = keepGroupLengths;
    }

    public static void Write(IBufferWriter<byte> output, DicomDataset dataset, TransferSyntax syntax)
        => new DicomDatasetWriter(output, syntax.IsExplicitVR, syntax.IsBigEndian, false).WriteDataset(dataset);

    public static byte[] Encode(DicomDataset dataset, TransferSyntax syntax)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, dataset, syntax);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a group whose group length element is computed here (the Part 10 meta group, DIMSE commands).</summary>
    internal static void WriteGroupWithLength(IBufferWriter<byte> output, DicomDataset group, ushort groupNumber, bool explicitVR)
    {
        var body = new ArrayBufferWriter<byte>();
        var writer = new DicomDatasetWriter(body, explicitVR, false, false);
        foreach (var item in group)
            if (item.Tag.Group == groupNumber && !item.Tag.IsGroupLength)
                writer.WriteItem(item, group);
        var lengthElement = new DicomElement(new DicomTag(groupNumber, 0), DicomVR.UL, BitConverter.GetBytes((uint)body.WrittenCount));
        new DicomDatasetWriter(output, explicitVR, false, false).WriteItem(lengthElement, group);
        output.Write(body.WrittenSpan);
    }

    private void WriteDataset(DicomDataset dataset)
    {
        foreach (var item in dataset)
        {
            if (item.Tag.IsGroupLength && !_keepGroupLengths)
                continue;
            WriteItem(item, dataset);
        }
    }

    private void WriteItem(DicomItem item, DicomDataset owner)
    {
        switch (item)
        {
            case DicomSequence seq:
                WriteHeader(seq.Tag, DicomVR.SQ, UndefinedLength);
                foreach (var child in seq.Items)
                {
                    WriteTagAndLength(DicomTag.Item, UndefinedLength);
                    WriteDataset(child);
                    WriteTagAndLength(DicomTag.ItemDelimitationItem, 0);
                }
                WriteTagAndLength(DicomTag.SequenceDelimitationItem, 0);
                break;
            case DicomFragments frags:
                if (!_explicit || _bigEndian)
                    throw new InvalidOperationException("encapsulated pixel data needs an Explicit VR Little Endian based transfer syntax");
                WriteHeader(frags.Tag, DicomVR.OB, UndefinedLength);
                WriteTagAndLength(DicomTag.Item, (uint)frags.OffsetTable.Length);
                _out.Write(frags.OffsetTable.Span);
                foreach (var f in frags.Fragments)
                {
                    WriteTagAndLength(DicomTag.Item, (uint)(f.Length + (f.Length & 1)));
                    _out.Write(f.Span);
                    if ((f.Length & 1) != 0)
                        _out.Write([(byte)0]);
                }
                WriteTagAndLength(DicomTag.SequenceDelimitationItem, 0);
                break;
            case DicomElement e:
                WriteElement(e, owner);
                break;
        }
    }

    private void WriteElement(DicomElement e, DicomDataset owner)
    {
        var vr = e.VR;
        var value = e.Buffer.Span;
        if (_bigEndian && vr == DicomVR.OW && e.Tag == DicomTags.PixelData
            && owner.GetValueOrDefault<ushort>(DicomTags.BitsAllocated, 0, 16) <= 8)
            vr = DicomVR.OB; // 8-bit pixels keep their byte order only as OB
        if (_explicit && !vr.HasLongLength && value.Length > 0xFFFE)
            throw new InvalidOperationException($"{e.Tag} {vr}: {value.Length} bytes exceed the 16-bit length of this VR in Explicit VR");
        var odd = (value.Length & 1) != 0;
        WriteHeader(e.Tag, vr, (uint)(value.Length + (odd ? 1 : 0)));
        if (_bigEndian && vr.UnitSize > 1)
        {
            var swapped = _out.GetSpan(value.Length)[..value.Length];
            value.CopyTo(swapped);
            for (var i = 0; i + vr.UnitSize <= swapped.Length; i += vr.UnitSize)
                swapped.Slice(i, vr.UnitSize).Reverse();
            _out.Advance(value.Length);
        }
        else
        {
            _out.Write(value);
        }
        if (odd)
            _out.Write([vr.IsString ? vr.PadByte : (byte)0]);
    }

    private void WriteHeader(DicomTag tag, DicomVR vr, uint length)
    {
        if (!_explicit)
        {
            WriteTagAndLength(tag, length);
            return;
        }
        var span = _out.GetSpan(12);
        WriteTag(span, tag);
        span[4] = (byte)vr.Code[0];
        span[5] = (byte)vr.Code[1];
        if (vr.HasLongLength)
        {
            span[6] = 0;
            span[7] = 0;
            WriteU32(span[8..], length);
            _out.Advance(12);
        }
        else
        {
            if (_bigEndian)
                BinaryPrimitives.WriteUInt16BigEndian(span[6..], (ushort)length);
            else
                BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)length);
            _out.Advance(8);
        }
    }

    private void WriteTagAndLength(DicomTag tag, uint length)
    {
        var span = _out.GetSpan(8);
        WriteTag(span, tag);
        WriteU32(span[4..], length);
        _out.Advance(8);
    }

    private void WriteTag(Span<byte> span, DicomTag tag)
    {
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span, tag.Group);
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], tag.Element);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, tag.Group);
            BinaryPrimitives.WriteUInt16LittleEndian(span[2..], tag.Element);
        }
    }

    private void WriteU32(Span<byte> span, uint value)
    {
        if (_bigEndian)
            BinaryPrimitives.WriteUInt32BigEndian(span, value);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
    }
}
