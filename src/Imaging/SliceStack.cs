using System.Numerics;

namespace Zsad.Imaging;

/// <summary>A volume seen as 2D slices of one anatomical plane, in the orientation a radiologist reads them
/// (DICOM's conventions: axial x toward L and y toward P; coronal x toward L and y toward I; sagittal x toward P
/// and y toward I). Slices advance along x cross y, as the normal of a DICOM image of that plane does, so a stack
/// reads like a DICOM series. The index axis for each direction is chosen from the affine, so an axial stack of a
/// sagittally acquired volume is still axial. Slices are copied out; nothing is resampled (oblique volumes are
/// read along their nearest axes).</summary>
public sealed class SliceStack<T> where T : unmanaged, INumber<T>
{
    private readonly long _start;
    private readonly long _strideX;
    private readonly long _strideY;
    private readonly long _strideSlice;

    internal SliceStack(Volume<T> volume, AnatomicalPlane plane)
    {
        Volume = volume;
        Plane = plane;
        // Wanted world axis (0 L, 1 P, 2 S in LPS) and sign for x, y and the slice direction.
        var (wx, sx, wy, sy, ws, ss) = plane switch
        {
            AnatomicalPlane.Axial => (0, 1, 1, 1, 2, 1),
            AnatomicalPlane.Coronal => (0, 1, 2, -1, 1, 1),
            AnatomicalPlane.Sagittal => (1, 1, 2, -1, 0, -1),
            _ => throw new ArgumentOutOfRangeException(nameof(plane)),
        };
        var (world, sign) = VolumeAxes.NearestWorldAxes(volume.Affine);
        long[] strides = [1, volume.SizeX, (long)volume.SizeX * volume.SizeY];
        long start = 0;
        (int Axis, long Stride) Pick(int wantedWorld, int wantedSign)
        {
            var axis = Array.IndexOf(world, wantedWorld);
            if (sign[axis] == wantedSign)
                return (axis, strides[axis]);
            start += (volume.Size(axis) - 1) * strides[axis]; // walk the axis backwards
            return (axis, -strides[axis]);
        }
        (AxisX, _strideX) = Pick(wx, sx);
        (AxisY, _strideY) = Pick(wy, sy);
        (SliceAxis, _strideSlice) = Pick(ws, ss);
        _start = start;
        Width = volume.Size(AxisX);
        Height = volume.Size(AxisY);
        Count = volume.Size(SliceAxis);
        FlipX = _strideX < 0;
        FlipY = _strideY < 0;
        FlipSlices = _strideSlice < 0;
    }

    public Volume<T> Volume { get; }
    public AnatomicalPlane Plane { get; }

    /// <summary>Number of slices.</summary>
    public int Count { get; }

    /// <summary>Pixels per slice row.</summary>
    public int Width { get; }

    /// <summary>Rows per slice.</summary>
    public int Height { get; }

    public int PixelCount => Width * Height;

    /// <summary>The index axis of the volume that runs along a slice row.</summary>
    public int AxisX { get; }

    /// <summary>The index axis of the volume that runs down a slice.</summary>
    public int AxisY { get; }

    /// <summary>The index axis of the volume across which slices follow each other.</summary>
    public int SliceAxis { get; }

    /// <summary>True when the x direction walks <see cref="AxisX"/> from its last index to its first.</summary>
    public bool FlipX { get; }
    public bool FlipY { get; }
    public bool FlipSlices { get; }

    public double PixelWidth => Volume.Spacing[AxisX];
    public double PixelHeight => Volume.Spacing[AxisY];
    public double SliceSpacing => Volume.Spacing[SliceAxis];

    /// <summary>Index into <see cref="Volume{T}.Data"/> of pixel (x, y) of a slice.</summary>
    public int VoxelIndex(int slice, int x, int y)
    {
        if ((uint)slice >= (uint)Count || (uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(slice), $"pixel ({x}, {y}) of slice {slice} is outside {Width}x{Height}x{Count}");
        return (int)(_start + slice * _strideSlice + x * _strideX + y * _strideY);
    }

    /// <summary>LPS position of pixel (x, y) of a slice.</summary>
    public Vec3 Position(int slice, double x, double y)
    {
        var index = VoxelIndex(slice, 0, 0);
        var sx = Volume.SizeX;
        var sxy = (long)Volume.SizeX * Volume.SizeY;
        Span<double> ijk = [index % sx, index % sxy / sx, index / sxy];
        ijk[AxisX] += FlipX ? -x : x;
        ijk[AxisY] += FlipY ? -y : y;
        return Volume.Affine.Transform(ijk[0], ijk[1], ijk[2]);
    }

    /// <summary>Copies a slice out, row-major (Height rows of Width pixels).</summary>
    public void CopySlice(int slice, Span<T> destination)
    {
        CheckSlice(slice, destination.Length);
        var data = Volume.Data;
        var rowStart = _start + slice * _strideSlice;
        for (var y = 0; y < Height; y++, rowStart += _strideY)
        {
            var row = destination.Slice(y * Width, Width);
            if (_strideX == 1)
            {
                data.AsSpan((int)rowStart, Width).CopyTo(row); // the common case: an axial row is a contiguous run
                continue;
            }
            var p = rowStart;
            for (var x = 0; x < Width; x++, p += _strideX)
                row[x] = data[p];
        }
    }

    public T[] GetSlice(int slice)
    {
        var result = new T[PixelCount];
        CopySlice(slice, result);
        return result;
    }

    /// <summary>Writes a slice back into the volume, e.g. a 2D map computed on <see cref="GetSlice"/>.</summary>
    public void WriteSlice(int slice, ReadOnlySpan<T> source)
    {
        CheckSlice(slice, source.Length);
        var data = Volume.Data;
        var rowStart = _start + slice * _strideSlice;
        for (var y = 0; y < Height; y++, rowStart += _strideY)
        {
            var row = source.Slice(y * Width, Width);
            if (_strideX == 1)
            {
                row.CopyTo(data.AsSpan((int)rowStart, Width));
                continue;
            }
            var p = rowStart;
            for (var x = 0; x < Width; x++, p += _strideX)
                data[p] = row[x];
        }
    }

    private void CheckSlice(int slice, int length)
    {
        if ((uint)slice >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(slice), $"slice {slice} of {Count}");
        if (length != PixelCount)
            throw new ArgumentException($"a {Plane} slice holds {Width}x{Height} = {PixelCount} pixels, not {length}");
    }
}
