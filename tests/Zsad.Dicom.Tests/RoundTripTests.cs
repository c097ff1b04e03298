using Zsad.Dicom.Codecs;
using Zsad.Dicom.Json;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests;

public class RoundTripTests
{
    public static TheoryData<string> Syntaxes => new() { "implicit", "explicit", "deflated", "big", "rle" };

    /// <summary>A dataset exercising sequences, every binary VR family, text in UTF-8 and private data.</summary>
    internal static DicomDataset RichDataset()
    {
        var ds = TestImages.MrImage(rows: 32, columns: 40, charset: DicomCharacterSet.Utf8, patientName: "Ünal^Zoë=山田^太郎");
        var code = new DicomDataset().SetString(DicomTags.CodeValue, "12738006").SetString(DicomTags.CodingSchemeDesignator, "SCT").SetString(DicomTags.CodeMeaning, "Brain");
        ds.AddItem(DicomTags.AnatomicRegionSequence, code);
        var nested = new DicomDataset().SetString(DicomTags.ReferencedSOPClassUID, DicomUid.MRImageStorage).SetString(DicomTags.ReferencedSOPInstanceUID, "1.2.3.4");
        nested.AddItem(DicomTags.PurposeOfReferenceCodeSequence, code.Clone());
        ds.AddItem(DicomTags.SourceImageSequence, nested);
        ds.SetSequence(DicomTags.ReferencedStudySequence); // empty sequence
        ds.SetValues(DicomTags.RealWorldValueSlope, 0.25);
        ds.SetValues(new DicomTag(0x0018, 0x9087), 1000.0);
        ds.SetValues(DicomTags.RecommendedDisplayCIELabValue, (ushort)1000, (ushort)2000, (ushort)3000);
        ds.SetTags(DicomTags.FrameIncrementPointer, DicomTags.FrameTime);
        ds.SetString(new DicomTag(0x0029, 0x0010), DicomVR.LO, "ZSAD TEST");
        ds.SetBytes(new DicomTag(0x0029, 0x1001), DicomVR.UN, new byte[] { 1, 2, 3, 4, 5, 6 });
        ds.SetString(DicomTags.ImageComments, "Ärger mit Umlauten \\ und Backslash");
        ds.SetString(DicomTags.PatientAge, "045Y");
        return ds;
    }

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void EverySyntax_KeepsEveryValueAndThePixels(string syntaxName)
    {
        var syntax = TransferSyntax.Parse(syntaxName);
        var source = new DicomFile(RichDataset(), TransferSyntax.ExplicitVRLittleEndian);
        var bytes = source.ToBytes(syntax);
        var read = DicomFile.Read(bytes);
        Assert.Equal(syntax, read.TransferSyntax);
        AssertSameValues(source, read);
    }

    [Fact]
    public void ReEncoding_ThroughEverySyntaxInTurn_IsLossless()
    {
        var original = new DicomFile(RichDataset(), TransferSyntax.ExplicitVRLittleEndian);
        var current = original;
        foreach (var name in new[] { "rle", "big", "implicit", "deflated", "rle", "explicit", "implicit", "big", "deflated", "explicit" })
            current = DicomFile.Read(current.ToBytes(TransferSyntax.Parse(name)));
        AssertSameValues(original, current);
    }

    internal static void AssertSameValues(DicomFile expected, DicomFile actual)
    {
        Assert.Equal(JsonWithoutPixels(expected.Dataset), JsonWithoutPixels(actual.Dataset));
        var a = new DicomPixelData(expected.Dataset, expected.TransferSyntax);
        var b = new DicomPixelData(actual.Dataset, actual.TransferSyntax);
        Assert.Equal(a.NumberOfFrames, b.NumberOfFrames);
        for (var i = 0; i < a.NumberOfFrames; i++)
            Assert.True(a.GetFrame(i).Span.SequenceEqual(b.GetFrame(i).Span), $"frame {i} differs");
    }

    private static string JsonWithoutPixels(DicomDataset ds)
    {
        var copy = ds.Clone();
        copy.Remove(DicomTags.PixelData);
        return DicomJsonWriter.Serialize(copy);
    }

    [Fact]
    public void Rle_EncodesAndDecodesEveryLayout()
    {
        var rng = new Random(7);
        foreach (var (spp, bits, planar) in new[] { (1, 8, 0), (1, 16, 0), (3, 8, 0), (3, 8, 1), (1, 32, 0), (3, 16, 1) })
        {
            var format = new PixelFormat(17, 23, spp, bits, planar, 1);
            var frame = new byte[format.FrameLength];
            for (var i = 0; i < frame.Length; i++)
                frame[i] = i % 50 < 30 ? (byte)7 : (byte)rng.Next(256); // runs and literals
            var encoded = RleCodec.EncodeFrame(frame, format);
            Assert.Equal(spp * bits / 8, BitConverter.ToInt32(encoded, 0));
            Assert.Equal(0, encoded.Length % 2);
            Assert.Equal(frame, RleCodec.DecodeFrame(encoded, format));
        }
    }

    [Fact]
    public void Rle_RunsNeverCrossRows()
    {
        var format = new PixelFormat(2, 4, 1, 8, 0, 1);
        var encoded = RleCodec.EncodeFrame(new byte[8], format); // all zero: one replicate run per row
        Assert.Equal(new byte[] { 0xFD, 0, 0xFD, 0 }, encoded[64..68]);
    }

    [Fact]
    public void Conversion_ToAnUnsupportedCodec_SaysSo()
    {
        var file = TestImages.MrFile();
        var ex = Assert.Throws<NotSupportedException>(() => file.ToBytes(TransferSyntax.JPEGBaseline));
        Assert.Contains("JPEG Baseline", ex.Message);
    }
}
