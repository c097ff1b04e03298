using Zsad.Imaging;
using Zsad.Inference.Detection.Views;

namespace Zsad.Inference.Tests.Detection.Views;

public sealed class PlaneResliceTests
{
    /// <summary>Plain axial, sagittally acquired (i toward P, j toward I, k toward R), and oblique (rotated 30 degrees
    /// about two axes, anisotropic): the grids slice-wise detectors meet.</summary>
    public static TheoryData<string> Grids => ["axial", "sagittal-acquired", "oblique"];

    internal static Affine AffineOf(string grid) => grid switch
    {
        "axial" => Affine.FromGeometry(new Vec3(1, 1.5, 3), new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, 1), new Vec3(-10, 5, 2)),
        "sagittal-acquired" => Affine.FromGeometry(new Vec3(0.9, 1.1, 2.5), new Vec3(0, 1, 0), new Vec3(0, 0, -1), new Vec3(-1, 0, 0), Vec3.Zero),
        "oblique" => Affine.FromGeometry(new Vec3(1.2, 0.8, 2),
            new Vec3(Math.Cos(0.52), Math.Sin(0.52), 0), new Vec3(-Math.Sin(0.52) * Math.Cos(0.5), Math.Cos(0.52) * Math.Cos(0.5), Math.Sin(0.5)),
            new Vec3(Math.Sin(0.52) * Math.Sin(0.5), -Math.Cos(0.52) * Math.Sin(0.5), Math.Cos(0.5)), new Vec3(3, -4, 7)),
        _ => throw new ArgumentOutOfRangeException(nameof(grid)),
    };

    internal static Volume<float> Numbered(string grid, int nx = 7, int ny = 5, int nz = 4)
    {
        var volume = new Volume<float>(nx, ny, nz, AffineOf(grid));
        for (var v = 0; v < volume.Data.Length; v++)
            volume.Data[v] = v + 1; // every voxel distinct, so any misplacement shows
        return volume;
    }

    [Theory]
    [MemberData(nameof(Grids))]
    public void Reslice_RoundTrip_IsExact_ForEveryPlane(string grid)
    {
        var volume = Numbered(grid);
        foreach (var plane in Enum.GetValues<AnatomicalPlane>())
        {
            var back = PlaneReslice.FromAxial(PlaneReslice.ToAxial(volume, plane), volume, plane);
            Assert.True(back.HasSameGrid(volume));
            Assert.Equal(volume.Data, back.Data);
        }
    }

    [Theory]
    [MemberData(nameof(Grids))]
    public void Reslice_AxialSlicesOfTheReslice_AreTheSlicesOfThePlane(string grid)
    {
        var volume = Numbered(grid);
        foreach (var plane in Enum.GetValues<AnatomicalPlane>())
        {
            var view = volume.Slices(plane);
            var resliced = PlaneReslice.ToAxial(volume, plane).Slices(AnatomicalPlane.Axial);
            Assert.Equal(view.Count, resliced.Count);
            Assert.Equal(view.SliceSpacing, resliced.SliceSpacing, 12);
            Assert.Equal(view.PixelWidth, resliced.PixelWidth, 12);
            for (var z = 0; z < view.Count; z++)
                Assert.Equal(view.GetSlice(z), resliced.GetSlice(z));
        }
    }

    [Fact]
    public void Reslice_MapOfAnotherShape_IsRefusedNamingBothSizes()
    {
        var volume = Numbered("axial");
        var wrong = new Volume<float>(3, 3, 3, Affine.Identity);
        var ex = Assert.Throws<ArgumentException>(() => PlaneReslice.FromAxial(wrong, volume, AnatomicalPlane.Coronal));
        Assert.Contains("3x3x3", ex.Message);
        Assert.Contains("7x5x4", ex.Message);
    }
}
