using System.Buffers.Binary;

namespace Zsad.Dicom.IO;

/// <summary>Parses a PS3.5 dataset from memory. Element values are slices of the input (no copy) except where
/// big-endian values must be swapped. Every malformation raises <see cref="DicomFormatException"/> with its offset.</summary>
public sealed class DicomDatasetReader
{
    private const uint UndefinedLength = 0xFFFFFFFF;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly DicomReadOptions _options;
    private readonly long _baseOffset;
    private bool _explicit;
    private bool _bigEndian;
    private int _pos;

    private DicomDatasetReader(ReadOnlyMemory<byte> data, TransferSyntax syntax, DicomReadOptions options, long baseOffset)
    {
        _data = data;
        _options = options;
        _baseOffset = baseOffset;
        _explicit = syntax.IsExplicitVR;
        _bigEndian = syntax.IsBigEndian;
    }

    /// <summary>Bytes consumed by the last <see cref="Read"/> (less than the input when stopped before pixel data).</summary>
    public int Position => _pos;

    /// <summary>Reads a whole dataset encoded in the given (already inflated) transfer syntax.</summary>
    /// <param name="baseOffset">Where <paramref name="data"/> starts in the file, so error offsets point into the file.</param>
    public static DicomDataset Read(ReadOnlyMemory<byte> data, TransferSyntax syntax, DicomReadOptions? options = null, long baseOffset = 0)
        => Read(data, syntax, options, baseOffset, out _);

    public static DicomDataset Read(ReadOnlyMemory<byte> data, TransferSyntax syntax, DicomReadOptions? options, long baseOffset, out int consumed)
    {
        var reader = new DicomDatasetReader(data, syntax, options ?? DicomReadOptions.Default, baseOffset);
        var dataset = new DicomDataset { ValidateOnSet = false };
        reader.ReadDataset(dataset, data.Length, untilItemDelimiter: false, depth: 0, stopAtGroup: null);
        dataset.ValidateOnSet = true;
        consumed = reader._pos;
        return dataset;
    }

    /// <summary>Reads only the leading elements of one group (the Part 10 meta group 0002).</summary>
    internal static DicomDataset ReadGroup(ReadOnlyMemory<byte> data, ushort group, TransferSyntax syntax, long baseOffset, out int consumed)
    {
        var reader = new DicomDatasetReader(data, syntax, DicomReadOptions.Default, baseOffset);
        var dataset = new DicomDataset { ValidateOnSet = false };
        reader.ReadDataset(dataset, data.Length, untilItemDelimiter: false, depth: 0, stopAtGroup: group);
        dataset.ValidateOnSet = true;
        consumed = reader._pos;
        return dataset;
    }

    private DicomFormatException Error(string message, int at) => new(message, _baseOffset + at);

    private void Need(int count, int end, string what)
    {
        if (count < 0 || _pos + (long)count > end)
            throw Error($"truncated {what}: {count} bytes needed, {Math.Max(0, end - _pos)} left", _pos);
    }

    private ushort U16()
    {
        var s = _data.Span.Slice(_pos, 2);
        _pos += 2;
        return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
    }

    private uint U32()
    {
        var s = _data.Span.Slice(_pos, 4);
        _pos += 4;
        return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
    }

    private DicomTag ReadTag() => new(U16(), U16());

    private void ReadDataset(DicomDataset dataset, int end, bool untilItemDelimiter, int depth, ushort? stopAtGroup)
    {
        while (_pos < end)
        {
            var start = _pos;
            Need(4, end, "element tag");
            var tag = ReadTag();
            if (stopAtGroup is { } g && tag.Group != g)
            {
                _pos = start;
                return;
            }
            if (tag == DicomTag.ItemDelimitationItem)
            {
                Need(4, end, "item delimiter length");
                if (!untilItemDelimiter)
                    throw Error("item delimiter outside an undefined-length item", start);
                U32(); // its length is 0 by definition; some writers put garbage there, which means nothing
                return;
            }
            if (tag.Group == 0xFFFE)
                throw Error($"unexpected {tag} (item or delimiter) where an element was expected", start);
            if (_options.StopBeforePixelData && depth == 0 && tag == DicomTags.PixelData)
            {
                _pos = start;
                return;
            }
            var (vr, length) = ReadVRAndLength(tag, dataset, end, start);
            dataset.Set(ReadValue(tag, vr, length, dataset, end, depth, start));
        }
        if (untilItemDelimiter)
            throw Error("undefined-length item ends without an item delimiter", _pos);
    }

    private (DicomVR Vr, uint Length) ReadVRAndLength(DicomTag tag, DicomDataset dataset, int end, int start)
    {
        if (!_explicit)
        {
            Need(4, end, "element length");
            return (ImplicitVR(tag, dataset), U32());
        }
        Need(4, end, "element VR and length");
        var a = _data.Span[_pos];
        var b = _data.Span[_pos + 1];
        if (!DicomVR.TryGet(a, b, out var vr))
            throw Error($"invalid VR bytes 0x{a:X2} 0x{b:X2} for element {tag}", _pos);
        _pos += 2;
        if (!vr.HasLongLength)
            return (vr, U16());
        _pos += 2; // reserved
        Need(4, end, "element length");
        return (vr, U32());
    }

    private static DicomVR ImplicitVR(DicomTag tag, DicomDataset dataset)
    {
        if (tag.IsGroupLength)
            return DicomVR.UL;
        if (tag.IsPrivate)
            return tag.IsPrivateCreator ? DicomVR.LO : DicomVR.UN;
        var entry = DicomDictionary.Lookup(tag);
        if (entry is null)
            return DicomVR.UN;
        return entry.IsAmbiguous ? ResolveAmbiguous(entry, dataset) : entry.DefaultVR;
    }

    /// <summary>Picks the VR of an ambiguous dictionary entry as PS3.5 A.1 says: US/SS by PixelRepresentation,
    /// OB/OW as OW (Implicit VR always encodes such data as OW).</summary>
    private static DicomVR ResolveAmbiguous(DicomDictionaryEntry entry, DicomDataset dataset)
    {
        if (entry.Vr.StartsWith("US|SS", StringComparison.Ordinal) && entry.Tag != new DicomTag(0x0028, 0x3006))
        {
            for (var ds = dataset; ds is not null; ds = ds.Parent)
                if (ds.TryGetElement(DicomTags.PixelRepresentation, out var pr) && pr.Length >= 2)
                    return BinaryPrimitives.ReadUInt16LittleEndian(pr.Buffer.Span) == 1 ? DicomVR.SS : DicomVR.US;
            return DicomVR.US;
        }
        return entry.Vr.Contains("OW", StringComparison.Ordinal) ? DicomVR.OW : entry.DefaultVR;
    }

    private DicomItem ReadValue(DicomTag tag, DicomVR vr, uint length, DicomDataset dataset, int end, int depth, int start)
    {
        if (length == UndefinedLength)
        {
            if (vr == DicomVR.SQ)
                return ReadSequence(tag, length, dataset, end, depth, start);
            if (vr == DicomVR.UN || (!_explicit && vr != DicomVR.OB && vr != DicomVR.OW))
                return ReadImplicitSequence(tag, length, dataset, end, depth, start); // CP-246: UN of undefined length holds an Implicit VR LE sequence
            if (vr == DicomVR.OB || vr == DicomVR.OW)
            {
                if (tag != DicomTags.PixelData && tag.Group is < 0x6000 or > 0x60FF)
                    throw Error($"undefined length on {tag} {vr}: only pixel data may be encapsulated", start);
                return ReadFragments(tag, end);
            }
            throw Error($"undefined length is not allowed for {tag} {vr}", start);
        }
        if (length > (uint)(end - _pos))
            throw Error($"{tag} {vr} value length {length} runs past the end ({end - _pos} bytes left)", start);
        if ((length & 1) != 0)
            throw Error($"{tag} {vr} has odd value length {length}", start);
        var len = (int)length;

        if (vr == DicomVR.SQ)
            return ReadSequence(tag, length, dataset, end, depth, start);
        if (vr == DicomVR.UN && _options.ReplaceUNWithKnownVR && !tag.IsPrivate && !tag.IsGroupLength)
        {
            var entry = DicomDictionary.Lookup(tag);
            if (entry is not null && entry.Vr != "NONE" && entry.DefaultVR != DicomVR.UN)
            {
                var known = entry.IsAmbiguous ? ResolveAmbiguous(entry, dataset) : entry.DefaultVR;
                if (known == DicomVR.SQ)
                    return ReadImplicitSequence(tag, length, dataset, end, depth, start);
                var raw = _data.Slice(_pos, len);
                _pos += len;
                return new DicomElement(tag, known, raw); // UN content is little endian in every syntax we read
            }
        }
        if (!_explicit && vr == DicomVR.UN && len >= 8 && LooksLikeItem(_pos))
        {
            // Implicit VR hides private sequences; try the value as one and keep the bytes if it is not.
            var valueStart = _pos;
            try
            {
                return ReadImplicitSequence(tag, length, dataset, end, depth, start);
            }
            catch (DicomFormatException)
            {
                _pos = valueStart;
            }
        }

        var value = _data.Slice(_pos, len);
        _pos += len;
        if (_bigEndian && vr.UnitSize > 1)
            value = SwapBytes(value.Span, vr.UnitSize);
        return new DicomElement(tag, vr, value);
    }

    private bool LooksLikeItem(int at)
        => BinaryPrimitives.ReadUInt32LittleEndian(_data.Span[at..]) == 0xE000FFFEu;

    private static byte[] SwapBytes(ReadOnlySpan<byte> source, int unit)
    {
        var copy = source.ToArray();
        for (var i = 0; i + unit <= copy.Length; i += unit)
            copy.AsSpan(i, unit).Reverse();
        return copy;
    }

    private DicomSequence ReadImplicitSequence(DicomTag tag, uint length, DicomDataset dataset, int end, int depth, int start)
    {
        var (wasExplicit, wasBig) = (_explicit, _bigEndian);
        (_explicit, _bigEndian) = (false, false);
        try
        {
            return ReadSequence(tag, length, dataset, end, depth, start);
        }
        finally
        {
            (_explicit, _bigEndian) = (wasExplicit, wasBig);
        }
    }

    private DicomSequence ReadSequence(DicomTag tag, uint length, DicomDataset dataset, int end, int depth, int start)
    {
        if (depth + 1 > _options.MaxSequenceDepth)
            throw Error($"sequences nested deeper than {_options.MaxSequenceDepth} levels at {tag}", start);
        var defined = length != UndefinedLength;
        var seqEnd = defined ? _pos + (int)length : end;
        var sequence = new DicomSequence(tag);
        while (true)
        {
            if (defined && _pos == seqEnd)
                break;
            var itemStart = _pos;
            Need(8, seqEnd, $"item header in sequence {tag}");
            var itemTag = ReadTag();
            var itemLength = U32();
            if (itemTag == DicomTag.SequenceDelimitationItem)
            {
                if (defined)
                    throw Error($"sequence delimiter inside defined-length sequence {tag}", itemStart);
                break;
            }
            if (itemTag != DicomTag.Item)
                throw Error($"expected an item in sequence {tag}, found {itemTag}", itemStart);
            var item = new DicomDataset { ValidateOnSet = false, Parent = dataset };
            if (itemLength == UndefinedLength)
            {
                ReadDataset(item, seqEnd, untilItemDelimiter: true, depth + 1, stopAtGroup: null);
            }
            else
            {
                if (itemLength > (uint)(seqEnd - _pos))
                    throw Error($"item length {itemLength} in sequence {tag} runs past its end", itemStart);
                ReadDataset(item, _pos + (int)itemLength, untilItemDelimiter: false, depth + 1, stopAtGroup: null);
            }
            item.ValidateOnSet = true;
            sequence.Items.Add(item);
        }
        return sequence;
    }

    private DicomFragments ReadFragments(DicomTag tag, int end)
    {
        ReadOnlyMemory<byte>? offsetTable = null;
        var fragments = new List<ReadOnlyMemory<byte>>();
        while (true)
        {
            var itemStart = _pos;
            Need(8, end, $"fragment header in {tag}");
            var itemTag = ReadTag();
            var itemLength = U32();
            if (itemTag == DicomTag.SequenceDelimitationItem)
                break;
            if (itemTag != DicomTag.Item)
                throw Error($"expected a fragment item in encapsulated {tag}, found {itemTag}", itemStart);
            if (itemLength == UndefinedLength || itemLength > (uint)(end - _pos))
                throw Error($"fragment length {itemLength} in {tag} runs past the end", itemStart);
            var fragment = _data.Slice(_pos, (int)itemLength);
            _pos += (int)itemLength;
            if (offsetTable is null)
            {
                if (itemLength % 4 != 0)
                    throw Error($"basic offset table of {tag} has length {itemLength}, not a multiple of 4", itemStart);
                offsetTable = fragment;
            }
            else
            {
                fragments.Add(fragment);
            }
        }
        return new DicomFragments(tag, offsetTable ?? ReadOnlyMemory<byte>.Empty, fragments);
    }
}
