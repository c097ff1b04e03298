namespace Zsad.Dicom.Tests;

public class DatasetValueTests
{
    [Fact]
    public void Strings_KeepMultiplicity()
    {
        var ds = new DicomDataset().SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "M");
        Assert.Equal(["ORIGINAL", "PRIMARY", "M"], ds.GetStrings(DicomTags.ImageType));
        Assert.Equal("ORIGINAL\\PRIMARY\\M", ds.GetString(DicomTags.ImageType));
        Assert.Equal(0, ds.GetElement(DicomTags.ImageType).Length % 2);
    }

    [Fact]
    public void Strings_PadToEvenLengthWithTheVRPadding()
    {
        var ds = new DicomDataset().SetString(DicomTags.SOPInstanceUID, "1.2.3").SetString(DicomTags.PatientID, "ABC");
        Assert.Equal((byte)0, ds.GetElement(DicomTags.SOPInstanceUID).Buffer.Span[^1]);
        Assert.Equal((byte)' ', ds.GetElement(DicomTags.PatientID).Buffer.Span[^1]);
        Assert.Equal("1.2.3", ds.GetString(DicomTags.SOPInstanceUID));
        Assert.Equal("ABC", ds.GetString(DicomTags.PatientID));
    }

    [Fact]
    public void SingleValuedText_KeepsBackslashes()
    {
        var ds = new DicomDataset().SetString(DicomTags.ImageComments, @"a\b");
        Assert.Equal([@"a\b"], ds.GetStrings(DicomTags.ImageComments));
    }

    [Fact]
    public void Numbers_DecimalAndIntegerStrings()
    {
        var ds = new DicomDataset()
            .SetNumbers(DicomTags.PixelSpacing, 0.9375, 1.0 / 3)
            .SetNumbers(DicomTags.InstanceNumber, 42);
        var spacing = ds.GetDoubles(DicomTags.PixelSpacing);
        Assert.Equal(0.9375, spacing[0]);
        Assert.Equal(1.0 / 3, spacing[1], 12);
        Assert.All(ds.GetStrings(DicomTags.PixelSpacing), s => Assert.True(s.Length <= 16));
        Assert.Equal(42, ds.GetInt(DicomTags.InstanceNumber));
    }

    [Fact]
    public void Numbers_BinaryVRs()
    {
        var ds = new DicomDataset()
            .SetValues<ushort>(DicomTags.Rows, 256)
            .SetValues(DicomTags.RealWorldValueSlope, 0.5)
            .SetValues(new DicomTag(0x0018, 0x9087), 1000.0) // DiffusionBValue FD
            .SetValues<short>(DicomTags.SmallestImagePixelValue, DicomVR.SS, -5);
        Assert.Equal([(ushort)256], ds.GetValues<ushort>(DicomTags.Rows));
        Assert.Equal(256, ds.GetInt(DicomTags.Rows));
        Assert.Equal(-5, ds.GetDouble(DicomTags.SmallestImagePixelValue));
        Assert.Equal(1000.0, ds.GetDouble(new DicomTag(0x0018, 0x9087)));
    }

    [Fact]
    public void DatesTimesAndDateTimes()
    {
        var ds = new DicomDataset()
            .SetDate(DicomTags.StudyDate, new DateOnly(2026, 11, 28))
            .SetString(DicomTags.StudyTime, "101530.5")
            .SetString(DicomTags.AcquisitionDateTime, "20261128101530.123456+0100");
        Assert.Equal("20261128", ds.GetString(DicomTags.StudyDate));
        Assert.Equal(new DateOnly(2026, 11, 28), ds.GetDate(DicomTags.StudyDate));
        Assert.Equal(new TimeOnly(10, 15, 30, 500), ds.GetTime(DicomTags.StudyTime));
        var dt = ds.GetDateTime(DicomTags.AcquisitionDateTime)!.Value;
        Assert.Equal(TimeSpan.FromHours(1), dt.Offset);
        Assert.Equal(123456, dt.Ticks / 10 % 1_000_000);
    }

    [Fact]
    public void PersonNames_HaveComponentGroups()
    {
        var ds = new DicomDataset()
            .SetString(DicomTags.SpecificCharacterSet, "ISO_IR 192")
            .SetPersonName(DicomTags.PatientName, new DicomPersonName("Yamada^Tarou", "山田^太郎", "やまだ^たろう"));
        var pn = ds.GetPersonName(DicomTags.PatientName)!.Value;
        Assert.Equal("Yamada", pn.FamilyName);
        Assert.Equal("Tarou", pn.GivenName);
        Assert.Equal("山田^太郎", pn.Ideographic);
        Assert.Equal("やまだ^たろう", pn.Phonetic);
    }

    [Fact]
    public void AttributeTags_RoundTrip()
    {
        var ds = new DicomDataset().SetTags(DicomTags.FrameIncrementPointer, DicomTags.FrameTime, new DicomTag(0x0018, 0x1063));
        Assert.Equal([DicomTags.FrameTime, new DicomTag(0x0018, 0x1063)], ds.GetTags(DicomTags.FrameIncrementPointer));
    }

    [Fact]
    public void Sequences_NestAndInheritCharacterSet()
    {
        var item = new DicomDataset().SetString(DicomTags.CodeValue, "12738006");
        var ds = new DicomDataset()
            .SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100")
            .AddItem(DicomTags.AnatomicRegionSequence, item);
        item.SetString(DicomTags.CodeMeaning, "Gehirn ä");
        Assert.Same(DicomCharacterSet.Latin1, item.CharacterSet);
        Assert.Equal("Gehirn ä", ds.GetItems(DicomTags.AnatomicRegionSequence)[0].GetString(DicomTags.CodeMeaning));
        Assert.Equal(9, item.GetElement(DicomTags.CodeMeaning).Buffer.Span.TrimEnd((byte)' ').Length + 1); // ä is one byte in Latin-1
    }

    [Fact]
    public void Binary_ValuesAreSlicesNotCopies()
    {
        var pixels = new byte[] { 1, 2, 3, 4 };
        var ds = new DicomDataset().SetBytes(DicomTags.PixelData, DicomVR.OB, pixels);
        pixels[0] = 9;
        Assert.Equal(9, ds.GetBytes(DicomTags.PixelData).Span[0]);
    }

    [Fact]
    public void Datasets_KeepTagOrderWhateverTheInsertionOrder()
    {
        var ds = new DicomDataset().SetString(DicomTags.PatientID, "2").SetString(DicomTags.Modality, "MR").SetString(DicomTags.PatientName, "A");
        Assert.Equal([DicomTags.Modality, DicomTags.PatientName, DicomTags.PatientID], ds.Select(i => i.Tag).ToArray());
        Assert.True(ds.Remove(DicomTags.PatientName));
        Assert.False(ds.Contains(DicomTags.PatientName));
    }
}
