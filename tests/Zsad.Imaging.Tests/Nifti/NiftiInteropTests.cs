using System.Runtime.InteropServices;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Tests.Support;

namespace Zsad.Imaging.Tests.Nifti;

/// <summary>NIfTI against nibabel 5 in both directions: what nibabel writes Zsad reads with the same voxels and
/// affine; what Zsad writes nibabel reads with the same voxels and affine.</summary>
public sealed class NiftiInteropTests(NibabelFilesFixture files) : IClassFixture<NibabelFilesFixture>
{
    public static TheoryData<string> NibabelFiles =>
    [
        "dtype_uint8.nii", "dtype_int8.nii", "dtype_int16.nii", "dtype_uint16.nii", "dtype_int32.nii", "dtype_uint32.nii",
        "dtype_int64.nii", "dtype_uint64.nii", "dtype_float32.nii", "dtype_float64.nii", "scaled_int16.nii", "qform_only.nii",
        "sform_preferred.nii", "bigendian_int16.nii", "bigendian_float64.nii", "gzip_float32.nii.gz", "nifti2_int64.nii",
        "nifti2_uint16.nii.gz", "nifti2_bigendian_float32.nii", "extension_uint8.nii",
    ];

    [Theory]
    [MemberData(nameof(NibabelFiles))]
    public void FileWrittenByNibabel_ReadsWithNibabelsVoxelsAndAffine(string name)
    {
        var expected = files.Views[name];
        var image = NiftiReader.Read(files.PathOf(name));

        Assert.Equal(expected.Shape, new[] { image.Volume.SizeX, image.Volume.SizeY, image.Volume.SizeZ });
        Assert.Equal(expected.DType, image.DataType.ToString().ToLowerInvariant());
        Assert.Equal(expected.Version, image.Header.Version);
        Assert.Equal(expected.Endianness == ">", image.Header.IsBigEndian);
        Assert.Equal(expected.Raw, StoredBytes(image.Volume));
        AssertAffine(expected.AffineLps, image.Affine, 1e-5);
        var scaled = image.ToDouble().Data;
        for (var v = 0; v < scaled.Length; v++)
            Assert.True(Math.Abs(scaled[v] - expected.Scaled[v]) <= 1e-6 * Math.Max(1, Math.Abs(expected.Scaled[v])),
                $"voxel {v}: Zsad {scaled[v]}, nibabel {expected.Scaled[v]}");
    }

    [Fact]
    public void SformIsPreferredOverQform_WhenSformCodeIsSet()
    {
        var image = NiftiReader.Read(files.PathOf("sform_preferred.nii"));
        Assert.Equal(NiftiXformCode.AlignedAnatomical, image.Header.SformCode);
        Assert.Equal(NiftiXformCode.ScannerAnatomical, image.Header.QformCode);
        AssertAffine(PatientFrame.RasToLps(image.Header.SformAffineRas()), image.Affine, 0);
        Assert.False(image.Header.QformAffineRas().ApproximatelyEquals(image.Header.SformAffineRas(), 1));
    }

    [Fact]
    public void QformIsUsed_WhenSformCodeIsZero_IncludingQfacReflection()
    {
        var expected = files.Views["qform_only.nii"];
        var image = NiftiReader.Read(files.PathOf("qform_only.nii"));
        Assert.Equal(NiftiXformCode.Unknown, image.Header.SformCode);
        Assert.Equal(-1.0, image.Header.PixDim[0]);
        AssertAffine(expected.AffineLps, image.Affine, 1e-5);
        Assert.True(image.Header.QformAffineRas().Determinant < 0, "qfac -1 makes the grid left-handed in RAS");
    }

    [Fact]
    public void BrainTemplateCh2Bet_ReadsAsNibabelReadsIt()
    {
        var path = Peers.RequireCh2Bet();
        var expected = NibabelView.Load(path)[0];
        var image = NiftiReader.Read(path);
        Assert.Equal(expected.Shape, new[] { image.Volume.SizeX, image.Volume.SizeY, image.Volume.SizeZ });
        Assert.Equal(NiftiDataType.UInt8, image.DataType);
        Assert.Equal(expected.Raw, StoredBytes(image.Volume));
        AssertAffine(expected.AffineLps, image.Affine, 1e-6);
        Assert.Equal("RAS", image.Volume.AxisCodes);
    }

    public static TheoryData<string, int, string> ZsadWrites => new()
    {
        { "uint8", 1, ".nii" }, { "int8", 1, ".nii" }, { "int16", 1, ".nii.gz" }, { "uint16", 1, ".nii" },
        { "int32", 1, ".nii" }, { "uint32", 2, ".nii" }, { "int64", 2, ".nii.gz" }, { "uint64", 1, ".nii" },
        { "float32", 1, ".nii.gz" }, { "float64", 2, ".nii" }, { "float32", 2, ".nii.gz" },
    };

    [Theory]
    [MemberData(nameof(ZsadWrites))]
    public void FileWrittenByZsad_ReadsInNibabelWithTheSameVoxelsAndAffine(string type, int version, string extension)
    {
        using var dir = new TempDir();
        var volume = TestVolumes.Pattern(type, 9, 6, 5, TestVolumes.ObliqueLps());
        var path = dir.File($"zsad_{type}_v{version}{extension}");
        NiftiWriter.Write(volume, path, new NiftiWriteOptions { Version = version });

        var seen = NibabelView.Load(path)[0];
        Assert.Equal(new[] { 9, 6, 5 }, seen.Shape);
        Assert.Equal(type, seen.DType);
        Assert.Equal(version, seen.Version);
        Assert.Equal(StoredBytes(volume), seen.Raw);
        var tolerance = version == 1 ? 1e-4 : 1e-9; // NIfTI-1 keeps the geometry in float32
        AssertAffine(volume.Affine, seen.AffineLps, tolerance);
        AssertAffine(volume.Affine, PatientFrame.RasToLps(seen.QformRas), tolerance); // the quaternion path agrees too
        Assert.Equal(1, seen.SformCode);
        Assert.Equal(1, seen.QformCode);

        // and Zsad reads its own file back unchanged
        var back = NiftiReader.Read(path);
        Assert.Equal(StoredBytes(volume), StoredBytes(back.Volume));
        AssertAffine(volume.Affine, back.Affine, tolerance);
    }

    [Fact]
    public void ScaledFileWrittenByZsad_NibabelAppliesTheSameScaling()
    {
        using var dir = new TempDir();
        var volume = (Volume<short>)TestVolumes.Pattern("int16", 8, 7, 3, TestVolumes.ObliqueLps());
        var path = dir.File("scaled.nii.gz");
        NiftiWriter.Write(volume, path, new NiftiWriteOptions { SclSlope = 0.5, SclInter = -3 });
        var seen = NibabelView.Load(path)[0];
        Assert.Equal(0.5, seen.Slope);
        Assert.Equal(-3, seen.Inter);
        var ours = NiftiReader.Read(path).ToDouble().Data;
        for (var v = 0; v < ours.Length; v++)
        {
            Assert.Equal(volume.Data[v] * 0.5 - 3, ours[v]);
            Assert.Equal(seen.Scaled[v], ours[v]);
        }
    }

    [Fact]
    public void Ch2BetRoundTrip_ZsadWritesWhatNibabelReadsAsTheOriginal()
    {
        var original = NiftiReader.Read(Peers.RequireCh2Bet());
        using var dir = new TempDir();
        var path = dir.File("ch2bet_copy.nii.gz");
        NiftiWriter.Write(original.Volume, path);
        var views = NibabelView.Load(Peers.Ch2Bet, path);
        Assert.Equal(views[0].Raw, views[1].Raw);
        AssertAffine(views[0].AffineRas, views[1].AffineRas, 1e-5);
    }

    internal static byte[] StoredBytes(Volume volume) => volume switch
    {
        Volume<byte> v => MemoryMarshal.AsBytes(v.Data.AsSpan()).ToArray(),
        Volume<sbyte> v => MemoryMarshal.AsBytes(v.Data.AsSpan()).ToArray(),
        Volume<short> v => MemoryMarshal.AsBytes(v.Data.AsSpan()).ToArray(),
        Volume<ushort> v => MemoryMarshal.AsBytes(v.Data.AsSpan()).ToArray(),
        Volume<int> v => MemoryMarshal.AsBytes(v.Data.AsSpan()).ToArray(),
        Volume<uint> v => MemoryMarshal.AsBytes(v.Data.AsSpan()).ToArray(),
        Volume<long> v => MemoryMarshal.AsBytes(v.Data.AsSpan()).ToArray(),
        Volume<ulong> v => MemoryMarshal.AsBytes(v.Data.AsSpan()).ToArray(),
        Volume<float> v => MemoryMarshal.AsBytes(v.Data.AsSpan()).ToArray(),
        Volume<double> v => MemoryMarshal.AsBytes(v.Data.AsSpan()).ToArray(),
        _ => throw new ArgumentException(volume.ElementType.Name),
    };

    internal static void AssertAffine(Affine expected, Affine actual, double tolerance)
        => Assert.True(expected.ApproximatelyEquals(actual, tolerance), $"affines differ by {expected.MaxAbsDifference(actual)}:\nexpected {expected}\nactual   {actual}");
}
