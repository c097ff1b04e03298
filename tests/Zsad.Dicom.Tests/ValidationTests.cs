namespace Zsad.Dicom.Tests;

public class ValidationTests
{
    [Theory]
    [InlineData("Modality", "mr")]            // CS is upper case
    [InlineData("Modality", "MR-1")]          // CS repertoire
    [InlineData("PatientID", "12345678901234567890123456789012345678901234567890123456789012345")] // LO > 64
    [InlineData("StudyDate", "2026-11-28")]   // DA format
    [InlineData("StudyDate", "20261131")]     // no 31 November
    [InlineData("StudyTime", "25")]           // TM hour
    [InlineData("SliceThickness", "1,5")]     // DS decimal point
    [InlineData("SliceThickness", "12345678901234567")] // DS > 16
    [InlineData("InstanceNumber", "1.5")]     // IS integer
    [InlineData("InstanceNumber", "99999999999")] // IS range
    [InlineData("SOPInstanceUID", "1.2.03")]  // UI leading zero
    [InlineData("PatientAge", "45")]          // AS nnnY
    [InlineData("StationAETitle", "          ")] // AE not all spaces
    public void Setters_RejectValuesOutsideTheVR(string keyword, string value)
    {
        var tag = DicomTag.Parse(keyword);
        var ex = Assert.Throws<DicomValidationException>(() => new DicomDataset().SetString(tag, value));
        Assert.Equal(tag, ex.Tag);
    }

    [Fact]
    public void Setters_RejectMultipleValuesInSingleValuedText()
        => Assert.Throws<DicomValidationException>(() => new DicomDataset().SetString(DicomTags.ImageComments, "a", "b"));

    [Fact]
    public void Setters_RejectCharactersOutsideTheCharacterSet()
    {
        var ex = Assert.Throws<DicomValidationException>(() => new DicomDataset().SetString(DicomTags.PatientName, "Müller^Jörg"));
        Assert.Contains("SpecificCharacterSet", ex.Message);
        var latin = new DicomDataset().SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        latin.SetString(DicomTags.PatientName, "Müller^Jörg");
        Assert.Throws<DicomValidationException>(() => latin.SetString(DicomTags.PatientComments, "中文"));
        var utf8 = new DicomDataset().SetString(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        utf8.SetString(DicomTags.PatientComments, "中文");
    }

    [Fact]
    public void Validation_CanBeRelaxed()
    {
        var ds = new DicomDataset { ValidateOnSet = false };
        ds.SetString(DicomTags.Modality, "mr");
        Assert.Equal("mr", ds.GetString(DicomTags.Modality));
    }

    [Fact]
    public void Reading_NeverValidates()
    {
        var ds = new DicomDataset { ValidateOnSet = false }.SetString(DicomTags.StudyDate, "2026-11-28");
        ds.SetString(DicomTags.SOPClassUID, DicomUid.MRImageStorage);
        ds.SetString(DicomTags.SOPInstanceUID, "1.2.3");
        var bytes = new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian).ToBytes();
        var read = DicomFile.Read(bytes);
        Assert.Equal("2026-11-28", read.Dataset.GetString(DicomTags.StudyDate));
        Assert.True(read.Dataset.ValidateOnSet); // but values set afterwards are checked again
    }
}
