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

    [Fact]
    public void Apply_MaskOnAnotherGrid_IsRefused()
    {
        var map = Random(Affine.Identity, 3);
        var mask = new Volume<byte>(2, 2, 2, Affine.Identity);
        Assert.Contains("not on the map's grid", Assert.Throws<ArgumentException>(() => ThroughPlaneSmoothing.Apply(map, mask, 2)).Message);
    }
}
