using Zsad.Dicom;
using Zsad.Imaging.Series;
using Zsad.Imaging.Tests.Support;

namespace Zsad.Imaging.Tests.Series;

/// <summary>Images that do not make one volume are refused with the problem named, and the instances involved.</summary>
public sealed class DicomSeriesErrorTests
{
    private static List<DicomDataset> Series(int slices = 6)
        => DicomSeriesWriter.CreateDatasets(TestVolumes.Distinct(6, 5, slices, DicomSeriesRoundTripTests.Geometry("axial")),
            new MrSeriesOptions { UidSeed = "errors" }).ToList();

    private static string Label(DicomDataset ds) => $"instance {ds.GetString(DicomTags.InstanceNumber)} ({ds.GetString(DicomTags.SOPInstanceUID)})";

    private static DicomSeriesException Refused(IEnumerable<DicomDataset> datasets, SeriesProblem problem)
    {
        var ex = Assert.Throws<DicomSeriesException>(() => DicomSeriesReader.Read(datasets.Select(d => new SeriesInput(d, TransferSyntax.ExplicitVRLittleEndian))));
        Assert.Equal(problem, ex.Problem);
        return ex;
    }

    private static void MoveAlongZ(DicomDataset ds, double dz, double dx = 0)
    {
        var p = ds.GetDoubles(DicomTags.ImagePositionPatient);
        ds.SetNumbers(DicomTags.ImagePositionPatient, p[0] + dx, p[1], p[2] + dz);
    }

    [Fact]
    public void NoImages()
        => Assert.Equal("no DICOM images were given", Refused([], SeriesProblem.NoImages).Message);

    [Fact]
    public void MissingImagePositionPatient()
    {
        var s = Series();
        s[2].Remove(DicomTags.ImagePositionPatient);
        Assert.Equal($"{Label(s[2])} has no ImagePositionPatient (0020,0032) with 3 values", Refused(s, SeriesProblem.MissingPosition).Message);
    }

    [Fact]
    public void MissingImageOrientationPatient()
    {
        var s = Series();
        s[1].Remove(DicomTags.ImageOrientationPatient);
        Assert.Equal($"{Label(s[1])} has no ImageOrientationPatient (0020,0037) with 6 values", Refused(s, SeriesProblem.MissingOrientation).Message);
    }

    [Fact]
    public void MissingPixelSpacing()
    {
        var s = Series();
        s[0].Remove(DicomTags.PixelSpacing);
        Assert.Equal($"{Label(s[0])} has no PixelSpacing (0028,0030) with 2 positive values", Refused(s, SeriesProblem.MissingPixelSpacing).Message);
    }

    [Fact]
    public void MixedOrientations()
    {
        var s = Series();
        s[3].SetNumbers(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 0, -1);
        Assert.Equal($"mixed orientations: {Label(s[0])} has ImageOrientationPatient 1\\0\\0\\0\\1\\0 but {Label(s[3])} has 1\\0\\0\\0\\0\\-1 (a localizer in the series?)",
            Refused(s, SeriesProblem.MixedOrientations).Message);
    }

    [Fact]
    public void MixedSizes()
    {
        var s = Series();
        s[4].SetValues(DicomTags.Columns, (ushort)3);
        s[4].SetBytes(DicomTags.PixelData, DicomVR.OW, new byte[3 * 5 * 2]);
        Assert.Equal($"mixed image sizes: {Label(s[0])} is 6x5 (columns x rows) but {Label(s[4])} is 3x5", Refused(s, SeriesProblem.MixedSizes).Message);
    }

    [Fact]
    public void MixedPixelSpacing()
    {
        var s = Series();
        s[5].SetNumbers(DicomTags.PixelSpacing, 1.2, 1.0);
        Assert.Equal($"mixed pixel spacing: {Label(s[0])} has PixelSpacing 1.2\\0.9 but {Label(s[5])} has 1.2\\1", Refused(s, SeriesProblem.MixedPixelSpacing).Message);
    }

    [Fact]
    public void DuplicatePositions()
    {
        var s = Series();
        s[3].SetString(DicomTags.ImagePositionPatient, s[2].GetStrings(DicomTags.ImagePositionPatient));
        Assert.Equal($"duplicate slice position: {Label(s[2])} and {Label(s[3])} are both at -43 mm along the normal (several echoes, phases or repeated acquisitions in one series?)",
            Refused(s, SeriesProblem.DuplicatePosition).Message);
    }

    [Fact]
    public void MissingSlice_IsAGap()
    {
        var s = Series(8);
        var gone = s[4];
        s.Remove(gone);
        Assert.Equal($"missing slices: a gap of 5 mm between {Label(s[3])} and {Label(s[4])}, where slices are 2.5 mm apart (about 1 slices missing)",
            Refused(s, SeriesProblem.MissingSlices).Message);
    }

    [Fact]
    public void NonUniformSpacing()
    {
        var s = Series();
        MoveAlongZ(s[2], 0.75);
        Assert.Equal($"non-uniform slice spacing: 3.25 mm between {Label(s[1])} and {Label(s[2])}, where slices are 2.5 mm apart",
            Refused(s, SeriesProblem.NonUniformSpacing).Message);
    }

    [Fact]
    public void PositionsOffTheNormal_AreRefusedAsTiltOrTwoStacks()
    {
        var s = Series();
        MoveAlongZ(s[3], 0, dx: 3);
        Assert.Equal($"{Label(s[3])} at (-97.5, -120.25, -40.5) is 3 mm off the line from {Label(s[0])} along the slice normal (gantry tilt, or two stacks in one series)",
            Refused(s, SeriesProblem.PositionsNotAlongNormal).Message);
    }

    [Fact]
    public void TwoSeries_AreRefused()
    {
        var s = Series(3);
        s[1].SetString(DicomTags.SeriesInstanceUID, "1.2.3.4");
        var uid = s[0].GetString(DicomTags.SeriesInstanceUID);
        Assert.Equal($"the images belong to 2 series ({uid}: 2 images, 1.2.3.4: 1 images); give one series", Refused(s, SeriesProblem.MixedSeries).Message);
    }

    [Fact]
    public void MissingPixelData()
    {
        var s = Series(3);
        s[1].Remove(DicomTags.PixelData);
        Assert.Equal($"{Label(s[1])} has no Pixel Data (7FE0,0010)", Refused(s, SeriesProblem.MissingPixelData).Message);
    }

    [Fact]
    public void ColourImages_AreRefused()
    {
        var s = Series(2);
        foreach (var ds in s)
        {
            ds.SetValues<ushort>(DicomTags.SamplesPerPixel, 3);
            ds.SetBytes(DicomTags.PixelData, DicomVR.OW, new byte[6 * 5 * 3 * 2]);
        }
        Assert.Equal($"{Label(s[0])} has 3 samples per pixel; a volume needs greyscale images", Refused(s, SeriesProblem.UnsupportedPixelData).Message);
    }

    [Fact]
    public void EmptyDirectory_SaysSo()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<DicomSeriesException>(() => DicomSeriesReader.ReadDirectory(dir.Path));
        Assert.Equal(SeriesProblem.NoImages, ex.Problem);
        Assert.Equal($"no DICOM images under {dir.Path}", ex.Message);
    }

    [Fact]
    public void MalformedDecimalString_IsNamed()
    {
        var s = Series(3);
        s[1].ValidateOnSet = false;
        s[1].SetString(DicomTags.ImagePositionPatient, "-100.5", "-120,25", "-43");
        var ex = Refused(s, SeriesProblem.MalformedAttribute);
        Assert.StartsWith($"{Label(s[1])}: ", ex.Message);
    }

    [Fact]
    public void SmallRoundingInPositions_IsTolerated()
    {
        var s = Series();
        MoveAlongZ(s[2], 0.004);
        MoveAlongZ(s[4], 0, dx: 0.01);
        var v = DicomSeriesReader.Read(s.Select(d => new SeriesInput(d, TransferSyntax.ExplicitVRLittleEndian)));
        Assert.Equal(6, v.Volume.SizeZ);
    }
}
