using Zsad.Dicom;
using Zsad.Imaging.Series;
using Zsad.Imaging.Tests.Support;

namespace Zsad.Imaging.Tests.Series;

/// <summary>Volume -> MR series -> volume keeps every voxel at its patient position, for any orientation and any
/// file order; Enhanced MR frames assemble the same way.</summary>
public sealed class DicomSeriesRoundTripTests
{
    public static readonly Vec3 Spacing = new(0.9, 1.2, 2.5);
    public static readonly Vec3 Origin = new(-100.5, -120.25, -48);

    public static Affine Geometry(string name) => name switch
    {
        "axial" => TestVolumes.Make(TestVolumes.AxialBasis, Spacing, Origin),
        "sagittal" => TestVolumes.Make(TestVolumes.SagittalBasis, Spacing, Origin),
        "coronal" => TestVolumes.Make(TestVolumes.CoronalBasis, Spacing, Origin),
        "oblique" => TestVolumes.Make(TestVolumes.Rotated(new Vec3(0.4, 1, 0.1), 27, TestVolumes.Rotated(Vec3.UnitZ, -14, TestVolumes.AxialBasis)), Spacing, Origin),
        // slices stored from superior to inferior: k runs against the image normal
        "reversed" => TestVolumes.Make((Vec3.UnitX, Vec3.UnitY, -Vec3.UnitZ), Spacing, Origin),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string> Geometries => ["axial", "sagittal", "coronal", "oblique", "reversed"];

    [Theory]
    [MemberData(nameof(Geometries))]
    public void SeriesWrittenFromAVolume_ReadsBackAsTheSameVolumeInPatientSpace(string geometry)
    {
        using var dir = new TempDir();
        var original = TestVolumes.Distinct(20, 16, 9, Geometry(geometry));
        var paths = DicomSeriesWriter.Write(original, dir.Path, new MrSeriesOptions { UidSeed = "roundtrip/" + geometry });
        Assert.Equal(9, paths.Count);

        var series = DicomSeriesReader.ReadDirectory(dir.Path);
        Assert.False(series.IsEnhanced);
        Assert.Equal(9, series.Slices.Count);
        VolumeAssert.SameInWorld(original.ToDouble(), series.Volume.ToDouble());
        // slices go along the image normal in increasing position
        var normal = series.Volume.Affine.Direction(0).Cross(series.Volume.Affine.Direction(1));
        for (var k = 1; k < series.Slices.Count; k++)
            Assert.True(series.Slices[k].Position.Dot(normal) > series.Slices[k - 1].Position.Dot(normal));
        Assert.True(Math.Abs(series.Volume.Spacing.Z - 2.5) < 1e-9);
    }

    [Fact]
    public void FileOrderAndInstanceNumbers_DoNotDecideSliceOrder()
    {
        var original = TestVolumes.Distinct(12, 10, 7, Geometry("oblique"));
        var datasets = DicomSeriesWriter.CreateDatasets(original, new MrSeriesOptions { UidSeed = "order" }).ToList();
        var scrambled = new[] { 4, 0, 6, 2, 5, 1, 3 }.Select(k =>
        {
            datasets[k].SetNumbers(DicomTags.InstanceNumber, 100 - k * 7 % 5); // misleading numbers
            return new SeriesInput(datasets[k], TransferSyntax.ExplicitVRLittleEndian);
        });
        var series = DicomSeriesReader.Read(scrambled);
        VolumeAssert.SameInWorld(original.ToDouble(), series.Volume.ToDouble());
        Assert.Equal(datasets.Select(d => d.GetString(DicomTags.SOPInstanceUID)), series.Slices.Select(s => s.SopInstanceUid));
    }

    [Fact]
    public void SignedVolume_KeepsNegativeValues()
    {
        var original = new Volume<short>(8, 6, 4, Geometry("axial"));
        for (var i = 0; i < original.Data.Length; i++)
            original.Data[i] = (short)(i * 311 - 30000);
        var datasets = DicomSeriesWriter.CreateDatasets(original);
        Assert.Equal(1, datasets[0].GetInt(DicomTags.PixelRepresentation));
        var series = DicomSeriesReader.Read(datasets.Select(d => new SeriesInput(d, TransferSyntax.ImplicitVRLittleEndian)));
        VolumeAssert.SameInWorld(original.ToDouble(), series.Volume.ToDouble());
    }

    [Fact]
    public void FloatVolume_IsStoredWithRescaleAndReadBackWithinHalfAStep()
    {
        var original = new Volume<float>(10, 9, 5, Geometry("sagittal"));
        for (var i = 0; i < original.Data.Length; i++)
            original.Data[i] = MathF.Sin(i * 0.37f) * 3.7f - 1.25f;
        var datasets = DicomSeriesWriter.CreateDatasets(original);
        var slope = datasets[0].GetDouble(DicomTags.RescaleSlope)!.Value;
        Assert.NotEqual(1, slope);
        var series = DicomSeriesReader.Read(datasets.Select(d => new SeriesInput(d, TransferSyntax.ExplicitVRLittleEndian)));
        VolumeAssert.SameInWorld(original.ToDouble(), series.Volume.ToDouble(), valueTolerance: slope * 0.5 + 1e-5);
    }

    [Fact]
    public void WrittenInstances_CarryTheMrImageAttributes()
    {
        var original = TestVolumes.Distinct(6, 5, 3, Geometry("oblique"));
        var ds = DicomSeriesWriter.CreateDatasets(original, new MrSeriesOptions { UidSeed = "attrs" })[1];
        Assert.Equal(DicomUid.MRImageStorage, ds.GetString(DicomTags.SOPClassUID));
        Assert.Equal("MR", ds.GetString(DicomTags.Modality));
        foreach (var type2 in new[] { DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
                     DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyID, DicomTags.AccessionNumber,
                     DicomTags.SeriesNumber, DicomTags.PositionReferenceIndicator, DicomTags.Manufacturer, DicomTags.InstanceNumber,
                     DicomTags.ScanOptions, DicomTags.MRAcquisitionType, DicomTags.RepetitionTime, DicomTags.EchoTime, DicomTags.EchoTrainLength,
                     DicomTags.SliceThickness, DicomTags.ImageType, DicomTags.ScanningSequence, DicomTags.SequenceVariant, DicomTags.FrameOfReferenceUID })
            Assert.True(ds.Contains(type2), $"{type2} must be present");
        var p = original.Affine.Transform(0, 0, 1);
        Assert.Equal(new[] { p.X, p.Y, p.Z }, ds.GetDoubles(DicomTags.ImagePositionPatient), new ToleranceComparer(1e-9));
        Assert.Equal(new[] { 1.2, 0.9 }, ds.GetDoubles(DicomTags.PixelSpacing), new ToleranceComparer(1e-12));
        Assert.Equal(2.5, ds.GetDouble(DicomTags.SpacingBetweenSlices)!.Value, 9);
        Assert.Equal(DicomUid.FromName("attrs/frame-of-reference"), ds.GetString(DicomTags.FrameOfReferenceUID));
    }

    [Fact]
    public void SameUidSeed_GivesTheSameUids()
    {
        var v = TestVolumes.Distinct(4, 4, 2, Geometry("axial"));
        var a = DicomSeriesWriter.CreateDatasets(v, new MrSeriesOptions { UidSeed = "same" });
        var b = DicomSeriesWriter.CreateDatasets(v, new MrSeriesOptions { UidSeed = "same" });
        Assert.Equal(a.Select(d => d.GetString(DicomTags.SOPInstanceUID)), b.Select(d => d.GetString(DicomTags.SOPInstanceUID)));
        Assert.Equal(a[0].GetString(DicomTags.SeriesInstanceUID), b[0].GetString(DicomTags.SeriesInstanceUID));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EnhancedMr_FramesInAnyOrder_AssembleByPlanePosition(bool geometryPerFrame)
    {
        var original = TestVolumes.Distinct(14, 11, 6, Geometry("oblique"));
        var ds = EnhancedMr.Create(original, geometryPerFrame, frameToSlice: [3, 5, 0, 2, 4, 1], slope: 0.5, intercept: -20);
        var series = DicomSeriesReader.Read([new SeriesInput(ds, TransferSyntax.ExplicitVRLittleEndian)]);
        Assert.True(series.IsEnhanced);
        var expected = original.ToDouble();
        for (var i = 0; i < expected.Data.Length; i++)
            expected.Data[i] = expected.Data[i] * 0.5 - 20;
        VolumeAssert.SameInWorld(expected, series.Volume.ToDouble());
        Assert.Equal(new int?[] { 3, 6, 4, 1, 5, 2 }, series.Slices.Select(s => s.FrameNumber));
    }

    [Fact]
    public void EnhancedMr_SavedAndReopened_ReadsTheSame()
    {
        using var dir = new TempDir();
        var original = TestVolumes.Distinct(9, 7, 5, Geometry("coronal"));
        var ds = EnhancedMr.Create(original, geometryPerFrame: false);
        new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian).Save(dir.File("enhanced.dcm"));
        var series = DicomSeriesReader.ReadDirectory(dir.Path);
        VolumeAssert.SameInWorld(original.ToDouble(), series.Volume.ToDouble());
    }

    [Fact]
    public void ReadDirectory_PassesOverFilesThatAreNotDicom()
    {
        using var dir = new TempDir();
        var original = TestVolumes.Distinct(6, 5, 4, Geometry("axial"));
        DicomSeriesWriter.Write(original, dir.Sub("series"), new MrSeriesOptions { FileName = k => $"slice_{(k * 3) % 4}.dcm" });
        File.WriteAllText(dir.File("README.txt"), "not a DICOM file, and long enough to have 132 bytes for a preamble check........................................................................");
        var series = DicomSeriesReader.ReadDirectory(dir.Path);
        VolumeAssert.SameInWorld(original.ToDouble(), series.Volume.ToDouble());
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
