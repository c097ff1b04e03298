using System.Globalization;
using System.Runtime.InteropServices;
using Zsad.Imaging;
using Zsad.Inference.Detection.Views;

namespace Zsad.Inference.Tests.Detection.Views;

/// <summary>Against scipy.ndimage.gaussian_filter1d run by Debian's python3 on the same float32 data.</summary>
public sealed class ThroughPlaneSmoothingTests
{
    private const string Scipy = """
        import sys, numpy as np
        from scipy.ndimage import gaussian_filter1d
        src, dst, nx, ny, nz, axis, sigma = sys.argv[1:]
        a = np.fromfile(src, dtype='<f4').reshape(int(nz), int(ny), int(nx))  # i fastest: numpy axis 2 - index axis
        out = gaussian_filter1d(a.astype(np.float64), float(sigma), axis=2 - int(axis), mode='reflect', truncate=4.0)
        out.astype('<f4').tofile(dst)
        """;

    private static float[] GaussianFilter1D(Volume<float> volume, int axis, double sigma)
    {
        Peers.RequirePythonModule("scipy.ndimage", "python3-scipy");
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("in.f32"), MemoryMarshal.AsBytes(volume.Data.AsSpan()).ToArray());
        Peers.Run(Peers.Python, ["-c", Scipy, dir.File("in.f32"), dir.File("out.f32"), $"{volume.SizeX}", $"{volume.SizeY}", $"{volume.SizeZ}", $"{axis}",
            sigma.ToString("R", CultureInfo.InvariantCulture)]).EnsureSuccess("scipy gaussian_filter1d");
        return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(dir.File("out.f32"))).ToArray();
    }

    private static Volume<float> Random(Affine affine, int seed)
    {
        var rng = new Random(seed);
        var volume = new Volume<float>(9, 7, 6, affine);
        for (var v = 0; v < volume.Data.Length; v++)
            volume.Data[v] = (float)rng.NextDouble();
        return volume;
    }

    [Theory]
    [InlineData(0, 0.7)]
    [InlineData(1, 1.3)]
    [InlineData(2, 2.0)]
    [InlineData(2, 5.0)] // radius 20 > 6 slices: reflection repeats, as scipy's does
    public void AlongAxis_EqualsScipyGaussianFilter1d(int axis, double sigma)
    {
        var volume = Random(Affine.Identity, 17 + axis);
        var expected = GaussianFilter1D(volume, axis, sigma);

        ThroughPlaneSmoothing.AlongAxis(volume, axis, sigma);

        for (var v = 0; v < expected.Length; v++)
            Assert.True(Math.Abs(expected[v] - volume.Data[v]) <= 1e-5, $"voxel {v}: scipy {expected[v]}, ours {volume.Data[v]}");
    }

    [Fact]
    public void Apply_SigmaInMillimetres_RunsAlongTheAxialAxisWithItsSpacing_ThenMasks()
    {
        // Sagittally acquired: the axial (S) direction is index axis 1, spaced 2.5 mm; 4 mm is 1.6 voxels.
        var affine = Affine.FromGeometry(new Vec3(0.9, 2.5, 1.1), new Vec3(0, 1, 0), new Vec3(0, 0, -1), new Vec3(-1, 0, 0), Vec3.Zero);
        var map = Random(affine, 5);
        Assert.Equal(1, map.Slices(AnatomicalPlane.Axial).SliceAxis);
        var mask = map.Like<byte>();
        for (var v = 0; v < mask.Data.Length; v++)
            mask.Data[v] = (byte)(v % 5 == 0 ? 0 : 1);
        var expected = GaussianFilter1D(map, axis: 1, sigma: 4 / 2.5);

        ThroughPlaneSmoothing.Apply(map, mask, sigmaMm: 4);

        for (var v = 0; v < expected.Length; v++)
        {
            var want = mask.Data[v] == 0 ? 0 : expected[v];
            Assert.True(Math.Abs(want - map.Data[v]) <= 1e-5, $"voxel {v}: expected {want}, got {map.Data[v]}");
        }
    }

    [Fact]
    public void Apply_ZeroSigma_LeavesTheMapAlone()
    {
        var map = Random(Affine.Identity, 3);
        var before = (float[])map.Data.Clone();
        var mask = map.Like<byte>();
        mask.Data.AsSpan().Fill(1);
        ThroughPlaneSmoothing.Apply(map, mask, 0);
        Assert.Equal(before, map.Data);
    }

    /// <summary>Identity affine: the axial axis is index axis 2, spaced 1 mm; one column of 20 slices.</summary>
    private static (Volume<float> Map, Volume<byte> Mask) Column(params (int Z, float Value, bool Brain)[] slices)
    {
        var map = new Volume<float>(1, 1, 20, Affine.Identity);
        var mask = map.Like<byte>();
        mask.Data.AsSpan().Fill(1);
        foreach (var (z, value, brain) in slices)
        {
            map.Data[z] = value;
            mask.Data[z] = (byte)(brain ? 1 : 0);
        }
        return (map, mask);
    }

    [Fact]
    public void WithinMask_InsideTheBrain_IsTheGaussianOfAlongAxis()
    {
        var (map, mask) = Column((10, 1f, true));
        var kernel = ThroughPlaneSmoothing.Kernel(1.0);
        ThroughPlaneSmoothing.WithinMask(map, mask, sigmaMm: 1);
        for (var k = -4; k <= 4; k++)
            Assert.Equal(kernel[k + 4], map.Data[10 + k], 6);
        Assert.Equal(0f, map.Data[0]);
    }

    /// <summary>Raw scores before calibration: the brain's top and bottom slices keep a constant score (not pulled
    /// towards what lies outside), outside voxels are left as they are and never leak in, and NaN counts as outside.</summary>
    [Fact]
    public void WithinMask_AveragesOverBrainVoxelsOnly_AndLeavesTheRestAlone()
    {
        var (map, mask) = Column((0, 100f, false), (1, 100f, false), (10, -50f, false), (11, float.NaN, true), (5, float.NaN, true));
        for (var z = 2; z <= 9; z++)
            if (z != 5)
                map.Data[z] = 3f;
        mask.Data.AsSpan(12).Clear();
        ThroughPlaneSmoothing.WithinMask(map, mask, sigmaMm: 2);
        Assert.Equal([100f, 100f], map.Data[..2]);
        Assert.Equal(-50f, map.Data[10]);
        Assert.True(float.IsNaN(map.Data[11]) && float.IsNaN(map.Data[5]), "NaN voxels stay NaN");
        for (var z = 2; z <= 9; z++)
            if (z != 5)
                Assert.Equal(3f, map.Data[z], 5);
    }

    [Fact]
    public void WithinMask_NegativeSigmaOrAnotherGrid_IsRefused()
    {
        var (map, mask) = Column();
        Assert.Contains("sigma must be 0 or more", Assert.Throws<ArgumentException>(() => ThroughPlaneSmoothing.WithinMask(map, mask, -1)).Message);
        Assert.Contains("not on the volume's grid",
            Assert.Throws<ArgumentException>(() => ThroughPlaneSmoothing.WithinMask(map, new Volume<byte>(2, 2, 2, Affine.Identity), 1)).Message);
    }

    [Fact]
    public void Apply_MaskOnAnotherGrid_IsRefused()
    {
        var map = Random(Affine.Identity, 3);
        var mask = new Volume<byte>(2, 2, 2, Affine.Identity);
        Assert.Contains("not on the map's grid", Assert.Throws<ArgumentException>(() => ThroughPlaneSmoothing.Apply(map, mask, 2)).Message);
    }
}
