using System.Buffers;
using System.IO.Compression;
using Zsad.Dicom.Codecs;
using Zsad.Dicom.IO;

namespace Zsad.Dicom;

/// <summary>A DICOM Part 10 file (PS3.10 7.1): 128-byte preamble, "DICM", the group 0002 meta information in
/// Explicit VR Little Endian, then the dataset in the transfer syntax the meta names.</summary>
public sealed class DicomFile
{
    private static readonly byte[] Magic = "DICM"u8.ToArray();

    public DicomFile(DicomDataset dataset, TransferSyntax transferSyntax, DicomDataset? fileMetaInformation = null)
    {
        Dataset = dataset;
        TransferSyntax = transferSyntax;
        FileMetaInformation = fileMetaInformation ?? new DicomDataset();
    }

    public DicomDataset FileMetaInformation { get; }
    public DicomDataset Dataset { get; }
    public TransferSyntax TransferSyntax { get; }

    public static DicomFile Open(string path, DicomReadOptions? options = null)
        => Read(File.ReadAllBytes(path), options);

    /// <summary>Parses a Part 10 file. A file without preamble and "DICM" is accepted when it starts with a
    /// meta group or is a bare dataset (its syntax is then guessed between Implicit and Explicit VR LE).</summary>
    public static DicomFile Read(ReadOnlyMemory<byte> bytes, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        var span = bytes.Span;
        int metaStart;
        switch (Recognize(span))
        {
            case Layout.Part10: metaStart = 132; break;
            case Layout.MetaWithoutPreamble: metaStart = 0; break;
            case Layout.BareDataset: return ReadBareDataset(bytes, options);
            default: throw new DicomFormatException("not a DICOM file: no 'DICM' prefix after the 128-byte preamble and no dataset start", span.Length >= 132 ? 128 : 0);
        }

        var meta = DicomDatasetReader.ReadGroup(bytes[metaStart..], 0x0002, TransferSyntax.ExplicitVRLittleEndian, metaStart, out var metaLength);
        var tsUid = meta.GetString(DicomTags.TransferSyntaxUID);
        if (string.IsNullOrEmpty(tsUid))
            throw new DicomFormatException("file meta information has no TransferSyntaxUID (0002,0010)", metaStart);
        var syntax = TransferSyntax.Get(tsUid);
        var dataStart = metaStart + metaLength;
        var body = bytes[dataStart..];
        if (syntax.IsDeflated)
        {
            body = Inflate(body, options, dataStart);
            dataStart = 0; // offsets now count in the inflated stream
        }
        var dataset = DicomDatasetReader.Read(body, syntax, options, dataStart);
        return new DicomFile(dataset, syntax, meta);
    }

    private enum Layout { NotDicom, Part10, MetaWithoutPreamble, BareDataset }

    private static Layout Recognize(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 132 && head.Slice(128, 4).SequenceEqual(Magic))
            return Layout.Part10;
        if (head.Length >= 8 && head[0] == 0x02 && head[1] == 0x00 && head[4] is >= (byte)'A' and <= (byte)'Z')
            return Layout.MetaWithoutPreamble;
        // Eight zero bytes would be an empty (0000,0000), which starts no dataset: it is a preamble cut short.
        if (head.Length >= 8 && head[1] == 0 && head[0] is 0x00 or 0x04 or 0x08 && head[..8].IndexOfAnyExcept((byte)0) >= 0)
            return Layout.BareDataset; // a dataset without meta starts with group 0000, 0004 or 0008
        return Layout.NotDicom;
    }

    /// <summary>True when the file starts like something <see cref="Open"/> reads (Part 10, or a dataset
    /// without preamble); false for other files found in a DICOM folder (README, DICOMDIR-less junk).</summary>
    public static bool LooksLikeDicom(string path)
    {
        Span<byte> head = stackalloc byte[132];
        using var fs = File.OpenRead(path);
        var n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Recognize(head[..n]) != Layout.NotDicom;
    }

    private static DicomFile ReadBareDataset(ReadOnlyMemory<byte> bytes, DicomReadOptions options)
    {
        // Explicit VR puts two upper-case letters after the first tag; Implicit VR puts a length there.
        var s = bytes.Span;
        var syntax = s[4] is >= (byte)'A' and <= (byte)'Z' && s[5] is >= (byte)'A' and <= (byte)'Z'
            ? TransferSyntax.ExplicitVRLittleEndian
            : TransferSyntax.ImplicitVRLittleEndian;
        return new DicomFile(DicomDatasetReader.Read(bytes, syntax, options), syntax);
    }

    private static byte[] Inflate(ReadOnlyMemory<byte> compressed, DicomReadOptions options, long offset)
        => Inflate(compressed, Math.Min(options.MaxInflatedLength, Math.Max(1L << 20, (long)compressed.Length * options.MaxInflateRatio)), offset);

    /// <summary>Inflates a Deflated Explicit VR LE dataset (raw RFC 1951, not zlib), refusing to grow past the limit.</summary>
    internal static byte[] Inflate(ReadOnlyMemory<byte> compressed, long limit, long offset)
    {
        using var input = new DeflateStream(new ReadOnlyMemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        try
        {
            int n;
            while ((n = input.Read(buffer)) > 0)
            {
                if (output.Length + n > limit)
                    throw new DicomFormatException($"deflated dataset inflates past {limit} bytes", offset);
                output.Write(buffer, 0, n);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new DicomFormatException($"deflated dataset is corrupt: {ex.Message}", offset, ex);
        }
        return output.ToArray();
    }

    /// <summary>Writes the file in its own transfer syntax, or transcodes to another (pixel data re-encoded
    /// when one side is RLE Lossless). The meta group is rebuilt from the dataset so that it always matches.</summary>
    public void Save(Stream stream, TransferSyntax? syntax = null)
    {
        var target = syntax ?? TransferSyntax;
        // What the pixels are really encoded as decides the conversion: a dataset built with native pixels and
        // labelled RLE is encoded now rather than written as an invalid file.
        var pixelSyntax = Dataset[DicomTags.PixelData] is DicomFragments || !TransferSyntax.IsEncapsulated
            ? TransferSyntax
            : TransferSyntax.ExplicitVRLittleEndian;
        var dataset = PixelDataTranscoder.Transcode(Dataset, pixelSyntax, target);
        var meta = BuildMeta(dataset, target);

        var output = new ArrayBufferWriter<byte>();
        WriteHeader(output, meta);
        stream.Write(output.WrittenSpan);
        if (target.IsDeflated)
        {
            var compressed = new MemoryStream();
            using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
                deflate.Write(DicomDatasetWriter.Encode(dataset, target));
            if (compressed.Length % 2 != 0)
                compressed.WriteByte(0); // PS3.5 A.5: the deflated stream is padded to even length
            compressed.Position = 0;
            compressed.CopyTo(stream);
        }
        else
        {
            var body = new ArrayBufferWriter<byte>();
            DicomDatasetWriter.Write(body, dataset, target);
            stream.Write(body.WrittenSpan);
        }
    }

    /// <summary>Saves durably: written to a temporary file, flushed to disk, then renamed over the path.</summary>
    public void Save(string path, TransferSyntax? syntax = null) => DurableFile.Write(path, s => Save(s, syntax));

    public byte[] ToBytes(TransferSyntax? syntax = null)
    {
        using var ms = new MemoryStream();
        Save(ms, syntax);
        return ms.ToArray();
    }

    private DicomDataset BuildMeta(DicomDataset dataset, TransferSyntax syntax)
    {
        var sopClass = dataset.GetString(DicomTags.SOPClassUID) ?? FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID)
            ?? throw new InvalidOperationException("the dataset has no SOPClassUID (0008,0016) for the file meta information");
        var sopInstance = dataset.GetString(DicomTags.SOPInstanceUID) ?? FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID)
            ?? throw new InvalidOperationException("the dataset has no SOPInstanceUID (0008,0018) for the file meta information");
        var meta = CreateFileMetaInformation(sopClass, sopInstance, syntax);
        foreach (var keep in new[] { DicomTags.SourceApplicationEntityTitle, DicomTags.SendingApplicationEntityTitle, DicomTags.ReceivingApplicationEntityTitle })
            if (FileMetaInformation[keep] is { } item)
                meta.Set(item);
        return meta;
    }

    /// <summary>The group 0002 elements Zsad writes for an instance: version 00\01, SOP class and instance,
    /// transfer syntax, and Zsad as the implementation.</summary>
    public static DicomDataset CreateFileMetaInformation(string sopClassUid, string sopInstanceUid, TransferSyntax syntax)
    {
        var meta = new DicomDataset { ValidateOnSet = false };
        meta.SetBytes(DicomTags.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 });
        meta.SetString(DicomTags.MediaStorageSOPClassUID, DicomVR.UI, sopClassUid);
        meta.SetString(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, sopInstanceUid);
        meta.SetString(DicomTags.TransferSyntaxUID, DicomVR.UI, syntax.Uid);
        meta.SetString(DicomTags.ImplementationClassUID, DicomVR.UI, DicomUid.ImplementationClass);
        meta.SetString(DicomTags.ImplementationVersionName, DicomVR.SH, DicomUid.ImplementationVersionName);
        return meta;
    }

    /// <summary>Writes the 128-byte preamble, "DICM" and the meta group with its group length (PS3.10 7.1).</summary>
    public static void WriteHeader(IBufferWriter<byte> output, DicomDataset fileMetaInformation)
    {
        output.Write(new byte[128]);
        output.Write(Magic);
        DicomDatasetWriter.WriteGroupWithLength(output, fileMetaInformation, 0x0002, explicitVR: true);
    }
}
