using Zsad.Dicom.IO;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests;

public class MalformedInputTests
{
    private static DicomFormatException Fails(byte[] raw, TransferSyntax? syntax = null)
        => Assert.Throws<DicomFormatException>(() => DicomDatasetReader.Read(raw, syntax ?? TransferSyntax.ExplicitVRLittleEndian));

    [Fact]
    public void Truncation_InsideAHeader_NamesTheOffset()
    {
        var raw = new RawBytes().Short(0x0008, 0x0060, "CS", "MR").Tag(0x0010, 0x0010).Ascii("P").ToArray();
        var ex = Fails(raw);
        Assert.Equal(14, ex.Offset); // the 10-byte Modality element, then the 4-byte tag: the VR is cut
        Assert.Contains("truncated", ex.Message);
        Assert.Contains("offset 14", ex.Message);
    }

    [Fact]
    public void Length_PastTheEnd_IsRefused()
    {
        var raw = new RawBytes().Tag(0x0010, 0x0010).Ascii("PN").U16(200).Ascii("Doe^John").ToArray();
        var ex = Fails(raw);
        Assert.Equal(0, ex.Offset);
        Assert.Contains("runs past the end", ex.Message);
    }

    [Fact]
    public void OddLength_IsRefused()
    {
        var ex = Fails(new RawBytes().Short(0x0010, 0x0020, "LO", "ABC").ToArray());
        Assert.Contains("odd value length 3", ex.Message);
    }

    [Fact]
    public void BadVR_IsRefused()
    {
        var ex = Fails(new RawBytes().Short(0x0010, 0x0020, "l0", "AB").ToArray());
        Assert.Contains("invalid VR", ex.Message);
        Assert.Equal(4, ex.Offset);
    }

    [Fact]
    public void AbsurdLength_AllocatesNothing()
    {
        var raw = new RawBytes().Long(0x7FE0, 0x0010, "OW", 0xFFFFFFF0).Bytes(0, 0).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Fails(raw);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("runs past the end", ex.Message);
    }

    [Fact]
    public void NestedSequenceBomb_HitsTheDepthLimit()
    {
        var raw = new RawBytes();
        for (var i = 0; i < 10_000; i++)
            raw.Long(0x0008, 0x1140, "SQ", 0xFFFFFFFF).Item(0xFFFFFFFF);
        var ex = Fails(raw.ToArray());
        Assert.Contains("nested deeper than 32", ex.Message);
    }

    [Fact]
    public void UndefinedLength_OnAPlainElement_IsRefused()
    {
        var ex = Fails(new RawBytes().Long(0x0010, 0x4000, "UT", 0xFFFFFFFF).ToArray());
        Assert.Contains("undefined length", ex.Message);
    }

    [Fact]
    public void MissingItemDelimiter_IsRefused()
    {
        var raw = new RawBytes().Long(0x0008, 0x1140, "SQ", 0xFFFFFFFF).Item(0xFFFFFFFF).Short(0x0008, 0x1155, "UI", "1.2\0").ToArray();
        Assert.Contains("without an item delimiter", Fails(raw).Message);
    }

    [Fact]
    public void NonItemInsideASequence_IsRefused()
    {
        var raw = new RawBytes().Long(0x0008, 0x1140, "SQ", 0xFFFFFFFF).Short(0x0008, 0x1155, "UI", "1.2\0").ToArray();
        Assert.Contains("expected an item", Fails(raw).Message);
    }

    [Fact]
    public void ItemLongerThanItsSequence_IsRefused()
    {
        var raw = new RawBytes().Long(0x0008, 0x1140, "SQ", 16).Item(100).Short(0x0008, 0x1155, "UI", "1.2\0").ToArray();
        Assert.Contains("runs past its end", Fails(raw).Message);
    }

    [Fact]
    public void NotDicom_IsRefusedAsAFile()
    {
        var ex = Assert.Throws<DicomFormatException>(() => DicomFile.Read("hello, this is not a DICOM file at all"u8.ToArray()));
        Assert.Contains("not a DICOM file", ex.Message);
    }

    [Fact]
    public void MetaWithoutTransferSyntax_IsRefused()
    {
        var bytes = new byte[128].Concat("DICM"u8.ToArray()).Concat(new RawBytes().Short(0x0002, 0x0002, "UI", "1.2\0").ToArray()).ToArray();
        Assert.Contains("TransferSyntaxUID", Assert.Throws<DicomFormatException>(() => DicomFile.Read(bytes)).Message);
    }

    [Fact]
    public void DeflateBomb_IsCappedByRatio()
    {
        var file = TestImages.MrFile();
        file.Dataset.SetValues(new DicomTag(0x0029, 0x1001), DicomVR.OB, new byte[64 << 20]); // 64 MiB of zeros deflates ~1000:1
        file.Dataset.SetString(new DicomTag(0x0029, 0x0010), DicomVR.LO, "BOMB");
        var bytes = file.ToBytes(TransferSyntax.DeflatedExplicitVRLittleEndian);
        var ex = Assert.Throws<DicomFormatException>(() => DicomFile.Read(bytes, new DicomReadOptions { MaxInflateRatio = 100 }));
        Assert.Contains("inflates past", ex.Message);
    }

    [Fact]
    public void CorruptRle_IsRefused()
    {
        var file = DicomFile.Read(TestImages.MrFile().ToBytes(TransferSyntax.RLELossless));
        var frags = (DicomFragments)file.Dataset[DicomTags.PixelData]!;
        var broken = frags.Fragments[0].ToArray()[..80];
        file.Dataset.Set(new DicomFragments(DicomTags.PixelData, ReadOnlyMemory<byte>.Empty, [broken]));
        var ex = Assert.Throws<DicomFormatException>(() => new Codecs.DicomPixelData(file.Dataset, file.TransferSyntax).GetFrame(0));
        Assert.Contains("RLE segment", ex.Message);
    }
}
