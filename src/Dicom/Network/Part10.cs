using System.Buffers;
using Zsad.Dicom.IO;

namespace Zsad.Dicom.Network;

/// <summary>The Part 10 framing the network code needs without re-encoding datasets: a meta header built from
/// DIMSE UIDs (received objects are stored byte for byte), and the split of a file into meta and dataset bytes
/// (files are sent byte for byte).</summary>
public static class Part10
{
    private static readonly byte[] Magic = "DICM"u8.ToArray();

    /// <summary>128-byte preamble, "DICM" and the group 0002 meta information (PS3.10 7.1).</summary>
    public static byte[] BuildHeader(string sopClassUid, string sopInstanceUid, TransferSyntax syntax, string? sourceAETitle = null)
    {
        var meta = DicomFile.CreateFileMetaInformation(sopClassUid, sopInstanceUid, syntax);
        if (!string.IsNullOrWhiteSpace(sourceAETitle))
            meta.SetString(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, sourceAETitle.Trim());
        var output = new ArrayBufferWriter<byte>(512);
        DicomFile.WriteHeader(output, meta);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads the meta group of a Part 10 file (with preamble and "DICM") and returns it with the offset
    /// where the dataset starts; null when the bytes are not a Part 10 file with a complete meta group.</summary>
    public static (DicomDataset Meta, int DatasetOffset)? ReadMeta(ReadOnlyMemory<byte> file)
    {
        var span = file.Span;
        if (span.Length < 132 || !span.Slice(128, 4).SequenceEqual(Magic))
            return null;
        try
        {
            var meta = DicomDatasetReader.ReadGroup(file[132..], 0x0002, TransferSyntax.ExplicitVRLittleEndian, 132, out var consumed);
            if (string.IsNullOrEmpty(meta.GetString(DicomTags.TransferSyntaxUID)))
                return null;
            return (meta, 132 + consumed);
        }
        catch (DicomFormatException)
        {
            return null;
        }
    }

    /// <summary>Inflates a Deflated Explicit VR LE dataset (raw RFC 1951), refusing to grow past
    /// <paramref name="maxLength"/>.</summary>
    public static byte[] Inflate(ReadOnlyMemory<byte> deflated, long maxLength) => DicomFile.Inflate(deflated, maxLength, -1);
}
