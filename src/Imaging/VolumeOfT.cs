using System.Numerics;
using System.Numerics.Tensors;

namespace Zsad.Imaging;

/// <summary>A volume whose voxels are stored as <typeparamref name="T"/>: the raw type of a NIfTI file or DICOM series,
/// or float32 for preprocessed intensities and maps.</summary>
public sealed class Volume<T> : Volume where T : unmanaged, INumber<T>
{
    public Volume(int sizeX, int sizeY, int sizeZ, Affine affine, T[]? data = null)
        : base(sizeX, sizeY, sizeZ, affine)
    {
        if (data is not null && data.Length != VoxelCount)
            throw new ArgumentException($"{data.Length} values do not fill {sizeX}x{sizeY}x{sizeZ} voxels", nameof(data));
        Data = data ?? new T[VoxelCount];
    }

    /// <summary>The voxels, i fastest; shared, not copied, by <see cref="WithAffine"/>.</summary>
    public T[] Data { get; }

    public override Type ElementType => typeof(T);

    public ref T this[int i, int j, int k] => ref Data[IndexOf(i, j, k)];

    public Span<T> AsSpan() => Data;

    /// <summary>The same voxels on another grid placement (no copy).</summary>
    public Volume<T> WithAffine(Affine affine) => new(SizeX, SizeY, SizeZ, affine, Data);

    /// <summary>A zero-filled volume on the same grid, e.g. for a mask or an anomaly map.</summary>
    public Volume<TOther> Like<TOther>() where TOther : unmanaged, INumber<TOther>
        => new(SizeX, SizeY, SizeZ, Affine);

    public Volume<T> Clone() => new(SizeX, SizeY, SizeZ, Affine, (T[])Data.Clone());

    /// <summary>Converts every voxel, saturating at the target range (NaN becomes 0 for integer targets).</summary>
    public Volume<TOther> Convert<TOther>() where TOther : unmanaged, INumber<TOther>
    {
        var result = Like<TOther>();
        TensorPrimitives.ConvertSaturating<T, TOther>(Data, result.Data);
        return result;
    }

    public override Volume<float> ToSingle() => Data is float[] f ? new Volume<float>(SizeX, SizeY, SizeZ, Affine, (float[])f.Clone()) : Convert<float>();

    public override Volume<double> ToDouble() => Data is double[] d ? new Volume<double>(SizeX, SizeY, SizeZ, Affine, (double[])d.Clone()) : Convert<double>();

    /// <summary>The volume seen as a stack of 2D slices in an anatomical plane, whichever index axis lies across it.</summary>
    public SliceStack<T> Slices(AnatomicalPlane plane) => new(this, plane);
}
