using System.Buffers.Binary;
using System.Text;

namespace Zsad.Tools.Fatbin;

/// <summary>The CUDA fat binaries in the .nv_fatbin section of an ELF64 shared library (e.g. ONNX Runtime's CUDA
/// provider), and a way to blank the machine code of architectures a given GPU cannot run.
/// Layout (read from the CUDA 12/13 toolchain's output, not a published spec): the section is a run of containers,
/// each 8-byte aligned: magic 0xBA55ED50 (u32), version (u16), header size (u16), size of the entries (u64). An
/// entry header: kind (u16: 1 PTX, 2 cubin), version (u16), header size (u32), padded payload size (u64), ...,
/// architecture (u32 at +28), flags (u64 at +40; 0x2000 LZ4, 0x8000 zstd compressed payload), ...; the payload
/// follows the header.</summary>
public sealed class FatbinImage
{
    public const uint ContainerMagic = 0xBA55ED50;
    private const int ContainerHeaderSize = 16;
    private const int MinEntryHeaderSize = 64;
    private const ulong CompressedFlags = 0x2000 | 0x8000;
    private static ReadOnlySpan<byte> ElfMagic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    private FatbinImage(long sectionOffset, long sectionLength, int containers, IReadOnlyList<FatbinEntry> entries)
    {
        SectionOffset = sectionOffset;
        SectionLength = sectionLength;
        ContainerCount = containers;
        Entries = entries;
    }

    public long SectionOffset { get; }

    public long SectionLength { get; }

    public int ContainerCount { get; }

    public IReadOnlyList<FatbinEntry> Entries { get; }

    /// <summary>Parses the .nv_fatbin section of an ELF64 little-endian file.</summary>
    public static FatbinImage Read(ReadOnlySpan<byte> file)
    {
        var (offset, length) = FindSection(file, ".nv_fatbin");
        var entries = new List<FatbinEntry>();
        var containers = 0;
        var end = offset + length;
        var at = offset;
        while (at < end)
        {
            if (end - at < ContainerHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(file[(int)at..]) != ContainerMagic)
            {
                // Containers are 8-byte aligned: anything between them must be zero padding.
                var pad = (int)Math.Min(8 - ((at - offset) % 8), end - at);
                if (file.Slice((int)at, pad).ContainsAnyExcept((byte)0))
                    throw new FatbinFormatException($"no fatbin container magic at offset {at} (0x{at:x}) of the .nv_fatbin section");
                at += pad;
                continue;
            }
            var headerSize = BinaryPrimitives.ReadUInt16LittleEndian(file[(int)(at + 6)..]);
            var entriesSize = BinaryPrimitives.ReadUInt64LittleEndian(file[(int)(at + 8)..]);
            var first = at + headerSize;
            if (headerSize < ContainerHeaderSize || entriesSize > (ulong)(end - first))
                throw new FatbinFormatException($"fatbin container at offset {at} (0x{at:x}) claims {entriesSize} bytes of entries past the end of the section");
            ReadEntries(file, first, first + (long)entriesSize, entries);
            containers++;
            at = first + (long)entriesSize;
        }
        return new FatbinImage(offset, length, containers, entries);
    }

    /// <summary>Zeroes, in place, the payload of every cubin whose architecture is not in <paramref name="keepArchs"/>
    /// (and of PTX too unless <paramref name="keepPtx"/>). Headers and the file's length stay as they are, so
    /// every offset in the library is unchanged; a GPU of a kept architecture never reads a blanked payload,
    /// because the CUDA runtime picks the cubin of the device's own architecture (or JIT-compiles PTX).
    /// Returns the number of payload bytes zeroed.</summary>
    public long Blank(Span<byte> file, IReadOnlySet<int> keepArchs, bool keepPtx)
    {
        long zeroed = 0;
        foreach (var e in Entries)
        {
            var keep = e.Kind == FatbinEntryKind.Ptx ? keepPtx : keepArchs.Contains(e.Arch);
            if (keep)
                continue;
            file.Slice((int)e.PayloadOffset, (int)e.PayloadLength).Clear();
            zeroed += e.PayloadLength;
        }
        return zeroed;
    }

    private static void ReadEntries(ReadOnlySpan<byte> file, long at, long end, List<FatbinEntry> entries)
    {
        while (at < end)
        {
            if (end - at < MinEntryHeaderSize)
                throw new FatbinFormatException($"truncated fatbin entry header at offset {at} (0x{at:x})");
            var kind = BinaryPrimitives.ReadUInt16LittleEndian(file[(int)at..]);
            var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(file[(int)(at + 4)..]);
            var payloadLength = BinaryPrimitives.ReadUInt64LittleEndian(file[(int)(at + 8)..]);
            var arch = BinaryPrimitives.ReadUInt32LittleEndian(file[(int)(at + 28)..]);
            var flags = BinaryPrimitives.ReadUInt64LittleEndian(file[(int)(at + 40)..]);
            if (kind is not ((ushort)FatbinEntryKind.Ptx or (ushort)FatbinEntryKind.Cubin))
                throw new FatbinFormatException($"fatbin entry at offset {at} (0x{at:x}) has unknown kind {kind}");
            if (headerSize < MinEntryHeaderSize || headerSize > end - at || payloadLength > (ulong)(end - at - headerSize))
                throw new FatbinFormatException($"fatbin entry at offset {at} (0x{at:x}) runs past the end of its container");
            entries.Add(new FatbinEntry(at, (FatbinEntryKind)kind, (int)arch, at + headerSize, (long)payloadLength, flags, (flags & CompressedFlags) != 0));
            at += headerSize + (long)payloadLength;
        }
    }

    /// <summary>File offset and size of a named section of an ELF64 little-endian file.</summary>
    private static (long Offset, long Length) FindSection(ReadOnlySpan<byte> file, string name)
    {
        if (file.Length < 64 || !file[..4].SequenceEqual(ElfMagic))
            throw new FatbinFormatException("not an ELF file (no \\x7fELF at offset 0)");
        if (file[4] != 2 || file[5] != 1)
            throw new FatbinFormatException($"only ELF64 little-endian files are supported (class {file[4]}, data {file[5]} at offset 4)");
        var sectionTable = (long)BinaryPrimitives.ReadUInt64LittleEndian(file[0x28..]);
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(file[0x3A..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(file[0x3C..]);
        int namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(file[0x3E..]);
        if (entrySize < 64 || namesIndex >= count || sectionTable + (long)count * entrySize > file.Length)
            throw new FatbinFormatException($"ELF section header table at offset {sectionTable} runs past the end of the file");
        var names = Section(file, sectionTable + (long)namesIndex * entrySize);
        var wanted = Encoding.ASCII.GetBytes(name + "\0");
        for (var i = 0; i < count; i++)
        {
            var header = sectionTable + (long)i * entrySize;
            var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(file[(int)header..]);
            if (names.Offset + nameOffset + wanted.Length > file.Length)
                continue;
            if (!file.Slice((int)(names.Offset + nameOffset), wanted.Length).SequenceEqual(wanted))
                continue;
            var section = Section(file, header);
            if (section.Offset + section.Length > file.Length)
                throw new FatbinFormatException($"section {name} at offset {section.Offset} runs past the end of the file");
            return section;
        }
        throw new FatbinFormatException($"the file has no {name} section");
    }

    private static (long Offset, long Length) Section(ReadOnlySpan<byte> file, long header) =>
        ((long)BinaryPrimitives.ReadUInt64LittleEndian(file[(int)(header + 0x18)..]),
         (long)BinaryPrimitives.ReadUInt64LittleEndian(file[(int)(header + 0x20)..]));
}
