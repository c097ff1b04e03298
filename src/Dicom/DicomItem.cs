using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Zsad.Dicom;

/// <summary>An entry of a dataset: a plain element, a sequence of items, or encapsulated pixel fragments.</summary>
public abstract class DicomItem(DicomTag tag, DicomVR vr)
{
    public DicomTag Tag { get; } = tag;
    public DicomVR VR { get; internal set; } = vr;

    public override string ToString() => $"{Tag} {VR}";
}

/// <summary>An element whose value is kept as the bytes it was read from (little endian), decoded only when asked for.</summary>
public sealed class DicomElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> buffer) : DicomItem(tag, vr)
{
    /// <summary>The value bytes in little-endian order, including any padding byte.</summary>
    public ReadOnlyMemory<byte> Buffer { get; } = buffer;

    public int Length => Buffer.Length;

    public bool IsEmpty => Buffer.IsEmpty;

    /// <summary>Copies binary values out as T (US, SS, UL, SL, FL, FD, SV, UV and the O* VRs).</summary>
    public T[] GetValues<T>() where T : unmanaged
    {
        var size = Marshal.SizeOf<T>();
        if (Buffer.Length % size != 0)
            throw new InvalidOperationException($"{Tag} {VR}: {Buffer.Length} bytes is not a whole number of {typeof(T).Name} values");
        return MemoryMarshal.Cast<byte, T>(Buffer.Span).ToArray();
    }

    /// <summary>Decodes AT values.</summary>
    public DicomTag[] GetTags()
    {
        var span = Buffer.Span;
        var tags = new DicomTag[span.Length / 4];
        for (var i = 0; i < tags.Length; i++)
            tags[i] = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(span[(4 * i)..]), BinaryPrimitives.ReadUInt16LittleEndian(span[(4 * i + 2)..]));
        return tags;
    }
}

/// <summary>A sequence (SQ) of nested datasets.</summary>
public sealed class DicomSequence : DicomItem
{
    public DicomSequence(DicomTag tag, IEnumerable<DicomDataset>? items = null) : base(tag, DicomVR.SQ)
    {
        Items = new List<DicomDataset>(items ?? []);
    }

    public List<DicomDataset> Items { get; }
}

/// <summary>Encapsulated pixel data (PS3.5 A.4): a basic offset table and the compressed fragments, as read.</summary>
public sealed class DicomFragments(DicomTag tag, ReadOnlyMemory<byte> offsetTable, IReadOnlyList<ReadOnlyMemory<byte>> fragments) : DicomItem(tag, DicomVR.OB)
{
    public ReadOnlyMemory<byte> OffsetTable { get; } = offsetTable;
    public IReadOnlyList<ReadOnlyMemory<byte>> Fragments { get; } = fragments;

    public uint[] GetOffsets() => MemoryMarshal.Cast<byte, uint>(OffsetTable.Span).ToArray();
}
