using System.Numerics;
using Zsad.Imaging;

namespace Zsad.Inference.Detection.Views;

/// <summary>Presents the slices of one anatomical plane as the axial slices of a new volume, so that a detector that
/// only walks axial slices sees coronal or sagittal ones, and writes its map back onto the original grid. Both
/// directions copy voxels through <see cref="SliceStack{T}"/> (a permutation and flips of the index axes, nothing
/// resampled), so the round trip is exact for any affine, oblique ones included.</summary>
public static class PlaneReslice
{
    /// <summary>Slice z, pixel (x, y) of <paramref name="plane"/> becomes voxel (x, y, z) of a volume whose affine is
    /// a plain axial LPS grid with the plane's pixel and slice spacings (origin 0: only sizes and spacings matter to
    /// the detectors).</summary>
    public static Volume<T> ToAxial<T>(Volume<T> volume, AnatomicalPlane plane) where T : unmanaged, INumber<T>
    {
        var view = volume.Slices(plane);
        var affine = Affine.FromColumns(new Vec3(view.PixelWidth, 0, 0), new Vec3(0, view.PixelHeight, 0), new Vec3(0, 0, view.SliceSpacing), Vec3.Zero);
        var resliced = new Volume<T>(view.Width, view.Height, view.Count, affine);
        var axial = resliced.Slices(AnatomicalPlane.Axial);
        var buffer = new T[view.PixelCount];
        for (var z = 0; z < view.Count; z++)
        {
            view.CopySlice(z, buffer);
            axial.WriteSlice(z, buffer);
        }
        return resliced;
    }

    /// <summary>The inverse of <see cref="ToAxial{T}"/>: a volume made by it (or a map on its grid) back on the
    /// grid of <paramref name="original"/>.</summary>
    public static Volume<T> FromAxial<T>(Volume<T> resliced, Volume original, AnatomicalPlane plane) where T : unmanaged, INumber<T>
    {
        var result = new Volume<T>(original.SizeX, original.SizeY, original.SizeZ, original.Affine);
        var view = result.Slices(plane);
        if (resliced.SizeX != view.Width || resliced.SizeY != view.Height || resliced.SizeZ != view.Count)
            throw new ArgumentException($"a {resliced.SizeX}x{resliced.SizeY}x{resliced.SizeZ} volume is not the {plane} reslice of a {original.SizeX}x{original.SizeY}x{original.SizeZ} volume ({view.Width}x{view.Height}x{view.Count})", nameof(resliced));
        var axial = resliced.Slices(AnatomicalPlane.Axial);
        var buffer = new T[view.PixelCount];
        for (var z = 0; z < view.Count; z++)
        {
            axial.CopySlice(z, buffer);
            view.WriteSlice(z, buffer);
        }
        return result;
    }
}
