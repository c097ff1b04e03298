namespace Zsad.Dicom.Tests;

public class DictionaryTests
{
    [Fact]
    public void Dictionary_CoversPs36()
    {
        Assert.True(DicomDictionary.Count > 4500, $"only {DicomDictionary.Count} entries");
        Assert.Equal("PatientName", DicomDictionary.Lookup(new DicomTag(0x0010, 0x0010))!.Keyword);
        Assert.Equal(DicomVR.PN, DicomDictionary.Lookup(DicomTags.PatientName)!.DefaultVR);
        Assert.Equal("1-n", DicomDictionary.Lookup(DicomTags.ImageType)!.VM.Replace("2-n", "1-n"));
    }

    [Fact]
    public void Dictionary_ResolvesRepeatingGroups()
    {
        var overlayRows = DicomDictionary.Lookup(new DicomTag(0x6002, 0x0010));
        Assert.Equal("OverlayRows", overlayRows!.Keyword);
        Assert.Equal(DicomVR.US, overlayRows.DefaultVR);
        Assert.Equal("OverlayData", DicomDictionary.Lookup(new DicomTag(0x60FE, 0x3000))!.Keyword);
        Assert.Null(DicomDictionary.Lookup(new DicomTag(0x6101, 0x0010))); // odd groups are private, not overlays
    }

    [Fact]
    public void Dictionary_MarksAmbiguousVRs()
    {
        var smallest = DicomDictionary.Lookup(DicomTags.SmallestImagePixelValue)!;
        Assert.True(smallest.IsAmbiguous);
        Assert.Equal("US|SS", smallest.Vr);
        Assert.Equal("OB|OW", DicomDictionary.Lookup(DicomTags.PixelData)!.Vr);
    }

    [Fact]
    public void Dictionary_KnowsRetiredEntries()
    {
        var e = DicomDictionary.LookupKeyword("CommandLengthToEnd");
        Assert.NotNull(e);
        Assert.True(e!.Retired);
    }

    [Theory]
    [InlineData("(0010,0010)", 0x00100010u)]
    [InlineData("0020,000D", 0x0020000Du)]
    [InlineData("7FE00010", 0x7FE00010u)]
    [InlineData("SeriesInstanceUID", 0x0020000Eu)]
    public void Tag_ParsesNumbersAndKeywords(string text, uint expected)
        => Assert.Equal(expected, DicomTag.Parse(text).Value);

    [Fact]
    public void Tag_OrdersByGroupThenElement()
    {
        Assert.True(new DicomTag(0x0008, 0xFFFF) < new DicomTag(0x0010, 0x0000));
        Assert.Equal("(0010,0020)", DicomTags.PatientID.ToString());
        Assert.Equal("00100020", DicomTags.PatientID.ToJsonKey());
    }

    [Fact]
    public void Tag_PrivateRules()
    {
        Assert.True(new DicomTag(0x0009, 0x0010).IsPrivateCreator);
        Assert.True(new DicomTag(0x0029, 0x1010).IsPrivate);
        Assert.False(new DicomTag(0x0029, 0x1010).IsPrivateCreator);
        Assert.False(new DicomTag(0x0007, 0x0010).IsPrivate); // groups 1,3,5,7 are illegal, not private
    }

    [Fact]
    public void VR_KnowsItsExplicitLengthForm()
    {
        foreach (var code in new[] { "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" })
            Assert.True(DicomVR.Parse(code).HasLongLength, code);
        foreach (var code in new[] { "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US" })
            Assert.False(DicomVR.Parse(code).HasLongLength, code);
        Assert.Equal(34, DicomVR.All.Count);
    }
}
