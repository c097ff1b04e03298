using System.Text.Json;
using Zsad.Dicom.Json;

namespace Zsad.Dicom.Tests;

public class JsonModelTests
{
    private static JsonElement Model(DicomDataset ds) => JsonDocument.Parse(DicomJsonWriter.Serialize(ds)).RootElement;

    [Fact]
    public void Keys_AreEightHexDigitsWithVR()
    {
        var json = Model(new DicomDataset().SetString(DicomTags.Modality, "MR"));
        Assert.Equal("CS", json.GetProperty("00080060").GetProperty("vr").GetString());
        Assert.Equal("MR", json.GetProperty("00080060").GetProperty("Value")[0].GetString());
    }

    [Fact]
    public void PersonNames_AreComponentGroupObjects()
    {
        var ds = new DicomDataset().SetString(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        ds.SetString(DicomTags.PatientName, "Yamada^Tarou=山田^太郎");
        var pn = Model(ds).GetProperty("00100010").GetProperty("Value")[0];
        Assert.Equal("Yamada^Tarou", pn.GetProperty("Alphabetic").GetString());
        Assert.Equal("山田^太郎", pn.GetProperty("Ideographic").GetString());
    }

    [Fact]
    public void NumericStrings_AreNumbers()
    {
        var json = Model(new DicomDataset().SetString(DicomTags.PixelSpacing, "0.50", "1").SetString(DicomTags.InstanceNumber, " 12"));
        Assert.Equal(0.5, json.GetProperty("00280030").GetProperty("Value")[0].GetDouble());
        Assert.Equal(12, json.GetProperty("00200013").GetProperty("Value")[0].GetInt32());
    }

    [Fact]
    public void BulkBinary_IsInlineBase64_AndAttributeTagsAreHex()
    {
        var ds = new DicomDataset().SetBytes(DicomTags.PixelData, DicomVR.OW, new byte[] { 1, 2, 3, 4 }).SetTags(DicomTags.FrameIncrementPointer, DicomTags.FrameTime);
        var json = Model(ds);
        Assert.Equal("AQIDBA==", json.GetProperty("7FE00010").GetProperty("InlineBinary").GetString());
        Assert.Equal("00181063", json.GetProperty("00280009").GetProperty("Value")[0].GetString());
    }

    [Fact]
    public void EmptyValues_HaveNoValueAndEmptyComponentsAreNull()
    {
        var json = Model(new DicomDataset().SetString(DicomTags.ReferringPhysicianName, "").SetString(DicomTags.ImageType, "ORIGINAL", "", "M"));
        Assert.False(json.GetProperty("00080090").TryGetProperty("Value", out _));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("00080008").GetProperty("Value")[1].ValueKind);
    }

    [Fact]
    public void Sequences_NestDatasets()
    {
        var ds = new DicomDataset().AddItem(DicomTags.ReferencedImageSequence, new DicomDataset().SetString(DicomTags.ReferencedSOPInstanceUID, "1.2.3"));
        var item = Model(ds).GetProperty("00081140").GetProperty("Value")[0];
        Assert.Equal("1.2.3", item.GetProperty("00081155").GetProperty("Value")[0].GetString());
    }
}
