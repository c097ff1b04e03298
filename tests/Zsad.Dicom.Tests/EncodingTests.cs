using Zsad.Dicom.IO;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests;

public class EncodingTests
{
    private static readonly TransferSyntax Explicit = TransferSyntax.ExplicitVRLittleEndian;
    private static readonly TransferSyntax Implicit = TransferSyntax.ImplicitVRLittleEndian;

    [Fact]
    public void Reads_UndefinedLengthSequencesAndItems()
    {
        var raw = new RawBytes()
            .Short(0x0008, 0x0060, "CS", "MR")
            .Long(0x0008, 0x1140, "SQ", 0xFFFFFFFF)
            .Item(0xFFFFFFFF).Short(0x0008, 0x1155, "UI", "1.2.3\0").ItemEnd()
            .Item(0xFFFFFFFF).Short(0x0008, 0x1155, "UI", "1.2.4\0").ItemEnd()
            .SequenceEnd()
            .Short(0x0010, 0x0020, "LO", "ID01")
            .ToArray();
        var ds = DicomDatasetReader.Read(raw, Explicit);
        var items = ds.GetItems(DicomTags.ReferencedImageSequence);
        Assert.Equal(2, items.Count);
        Assert.Equal("1.2.4", items[1].GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Equal("ID01", ds.GetString(DicomTags.PatientID));
    }

    [Fact]
    public void Reads_DefinedLengthSequencesAndItems()
    {
        var item = new RawBytes().Short(0x0008, 0x1155, "UI", "1.2.3\0").ToArray();
        var raw = new RawBytes()
            .Long(0x0008, 0x1140, "SQ", (uint)(8 + item.Length))
            .Item((uint)item.Length).Bytes(item)
            .Short(0x0010, 0x0020, "LO", "ID01")
            .ToArray();
        var ds = DicomDatasetReader.Read(raw, Explicit);
        Assert.Equal("1.2.3", ds.GetItems(DicomTags.ReferencedImageSequence)[0].GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Equal("ID01", ds.GetString(DicomTags.PatientID));
    }

    [Fact]
    public void Reads_UNWithUndefinedLengthAsImplicitSequence()
    {
        // CP-246: a sequence sent as UN keeps undefined length and Implicit VR LE content.
        var raw = new RawBytes()
            .Long(0x0008, 0x1140, "UN", 0xFFFFFFFF)
            .Item(0xFFFFFFFF).Implicit(0x0008, 0x1155, "1.2.3\0").ItemEnd()
            .SequenceEnd()
            .Long(0x0029, 0x1010, "UN", 0xFFFFFFFF) // private: stays a sequence of unknown content
            .Item(0xFFFFFFFF).Implicit(0x0029, 0x0010, "PRIV").ItemEnd()
            .SequenceEnd()
            .ToArray();
        var ds = DicomDatasetReader.Read(raw, Explicit);
        Assert.Equal(DicomVR.SQ, ds[DicomTags.ReferencedImageSequence]!.VR);
        Assert.Equal("1.2.3", ds.GetItems(DicomTags.ReferencedImageSequence)[0].GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Single(ds.GetItems(new DicomTag(0x0029, 0x1010)));
    }

    [Fact]
    public void Reads_UNOfKnownTagWithItsDictionaryVR()
    {
        var raw = new RawBytes().Long(0x0028, 0x0010, "UN", 2).U16(512).ToArray();
        var ds = DicomDatasetReader.Read(raw, Explicit);
        Assert.Equal(DicomVR.US, ds[DicomTags.Rows]!.VR);
        Assert.Equal(512, ds.GetInt(DicomTags.Rows));
    }

    [Fact]
    public void Reads_ImplicitVRFromTheDictionary()
    {
        var raw = new RawBytes()
            .Tag(0x0028, 0x0010).U32(2).U16(64)
            .Tag(0x0028, 0x0103).U32(2).U16(1)
            .Tag(0x0028, 0x0106).U32(2).U16(0xFFFE) // SmallestImagePixelValue: SS because PixelRepresentation is 1
            .ToArray();
        var ds = DicomDatasetReader.Read(raw, Implicit);
        Assert.Equal(DicomVR.US, ds[DicomTags.Rows]!.VR);
        Assert.Equal(DicomVR.SS, ds[DicomTags.SmallestImagePixelValue]!.VR);
        Assert.Equal(-2, ds.GetDouble(DicomTags.SmallestImagePixelValue));
    }

    [Fact]
    public void Reads_EncapsulatedPixelDataWithOffsetTable()
    {
        var raw = new RawBytes()
            .Long(0x7FE0, 0x0010, "OB", 0xFFFFFFFF)
            .Item(8).U32(0).U32(12)
            .Item(4).Bytes(1, 2, 3, 4)
            .Item(2).Bytes(5, 6)
            .SequenceEnd()
            .ToArray();
        var ds = DicomDatasetReader.Read(raw, Explicit);
        var frags = Assert.IsType<DicomFragments>(ds[DicomTags.PixelData]);
        Assert.Equal([0u, 12u], frags.GetOffsets());
        Assert.Equal(2, frags.Fragments.Count);
        Assert.Equal([5, 6], frags.Fragments[1].ToArray());
    }

    [Fact]
    public void Reading_SlicesPixelDataWithoutCopying()
    {
        var bytes = TestImages.MrFile().ToBytes();
        var file = DicomFile.Read(bytes);
        var pixels = file.Dataset.GetBytes(DicomTags.PixelData);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(pixels, out var segment));
        Assert.Same(bytes, segment.Array);
    }

    [Fact]
    public void Reading_CanStopBeforePixelData()
    {
        var bytes = TestImages.MrFile().ToBytes();
        var file = DicomFile.Read(bytes, new DicomReadOptions { StopBeforePixelData = true });
        Assert.False(file.Dataset.Contains(DicomTags.PixelData));
        Assert.Equal(64, file.Dataset.GetInt(DicomTags.Rows));
    }

    [Fact]
    public void Part10_HasPreambleMagicAndMatchingMeta()
    {
        var source = TestImages.MrFile();
        var bytes = source.ToBytes(TransferSyntax.ImplicitVRLittleEndian);
        Assert.Equal("DICM"u8.ToArray(), bytes[128..132]);
        var file = DicomFile.Read(bytes);
        var meta = file.FileMetaInformation;
        Assert.Equal(new byte[] { 0, 1 }, meta.GetBytes(DicomTags.FileMetaInformationVersion).ToArray());
        Assert.Equal(source.Dataset.GetString(DicomTags.SOPInstanceUID), meta.GetString(DicomTags.MediaStorageSOPInstanceUID));
        Assert.Equal(DicomUid.MRImageStorage, meta.GetString(DicomTags.MediaStorageSOPClassUID));
        Assert.Equal(TransferSyntax.ImplicitVRLittleEndian.Uid, meta.GetString(DicomTags.TransferSyntaxUID));
        Assert.Equal(DicomUid.ImplementationClass, meta.GetString(DicomTags.ImplementationClassUID));
        var groupLength = meta.GetValues<uint>(DicomTags.FileMetaInformationGroupLength)[0];
        Assert.Equal(bytes.Length, 132 + 12 + (int)groupLength + DicomDatasetWriter.Encode(file.Dataset, TransferSyntax.ImplicitVRLittleEndian).Length);
    }

    [Fact]
    public void Deflated_IsRawDeflateAfterTheMeta()
    {
        var bytes = TestImages.MrFile().ToBytes(TransferSyntax.DeflatedExplicitVRLittleEndian);
        var file = DicomFile.Read(bytes);
        Assert.Equal(TransferSyntax.DeflatedExplicitVRLittleEndian, file.TransferSyntax);
        Assert.True(bytes.Length < TestImages.MrFile().ToBytes().Length);
    }

    [Fact]
    public void BigEndian_SwapsMultiByteValues()
    {
        var ds = new DicomDataset()
            .SetString(DicomTags.SOPClassUID, DicomUid.MRImageStorage)
            .SetString(DicomTags.SOPInstanceUID, "1.2.3")
            .SetValues<ushort>(DicomTags.Rows, 0x0102);
        var bytes = new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian).ToBytes(TransferSyntax.ExplicitVRBigEndian);
        var rows = new RawBytes().Ascii("US").ToArray();
        var at = bytes.AsSpan().IndexOf(new byte[] { 0x00, 0x28, 0x00, 0x10 }.Concat(rows).ToArray());
        Assert.True(at > 0);
        Assert.Equal(new byte[] { 0x00, 0x02, 0x01, 0x02 }, bytes[(at + 6)..(at + 10)]); // BE length 2, BE value 0x0102
        Assert.Equal(0x0102, DicomFile.Read(bytes).Dataset.GetInt(DicomTags.Rows));
    }

    [Fact]
    public void CharacterSets_DecodeLatin1AndUtf8AndKeepOthersRaw()
    {
        var latin = new DicomDataset().SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        latin.SetString(DicomTags.PatientName, "Müller^Jörg");
        Assert.Equal(11, latin.GetElement(DicomTags.PatientName).Buffer.TrimEndSpaces());

        var utf8 = new DicomDataset().SetString(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        utf8.SetString(DicomTags.PatientName, "Müller^Jörg");
        Assert.Equal(13, utf8.GetElement(DicomTags.PatientName).Buffer.TrimEndSpaces());
        Assert.Equal("Müller^Jörg", utf8.GetString(DicomTags.PatientName));

        var raw = new byte[] { 0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44 }; // ISO 2022 IR 87 (JIS X 0208) escape + kanji
        var jis = new DicomDataset { ValidateOnSet = false }.SetString(DicomTags.SpecificCharacterSet, "ISO 2022 IR 87");
        jis.SetBytes(DicomTags.PatientName, DicomVR.PN, raw);
        Assert.False(jis.CharacterSet.IsSupported);
        var ex = Assert.Throws<NotSupportedException>(() => jis.GetString(DicomTags.PatientName));
        Assert.Contains("ISO 2022 IR 87", ex.Message);
        jis.SetString(DicomTags.SOPClassUID, DicomUid.MRImageStorage).SetString(DicomTags.SOPInstanceUID, "1.2.3");
        var back = DicomFile.Read(new DicomFile(jis, TransferSyntax.ExplicitVRLittleEndian).ToBytes()).Dataset;
        Assert.Equal(raw.Append((byte)0x20).ToArray(), back.GetBytes(DicomTags.PatientName).ToArray()); // bytes kept, padded
    }
}

internal static class MemoryExtensions2
{
    public static int TrimEndSpaces(this ReadOnlyMemory<byte> m) => m.Span.TrimEnd((byte)' ').Length;
}
