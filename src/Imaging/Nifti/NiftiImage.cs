using System.Numerics;
using System.Numerics.Tensors;

namespace Zsad.Imaging.Nifti;

/// <summary>A NIfTI file as read: its header and its voxels in the stored type (unscaled), with the LPS affine
/// the header means. <see cref="ToSingle"/> and <see cref="ToDouble"/> apply scl_slope and scl_inter.</summary>
public sealed class NiftiImage(NiftiHeader header, Volume volume)
{
    public NiftiHeader Header { get; } = header;

    /// <summary>The stored values (Volume&lt;short&gt; for an int16 file, and so on) on the LPS grid.</summary>
    public Volume Volume { get; } = volume;

    /// <summary>Voxel index to LPS millimetres.</summary>
    public Affine Affine => Volume.Affine;

    public NiftiDataType DataType => Header.DataType;

    /// <summary>Real-world values as float32: stored value * scl_slope + scl_inter when the header scales.</summary>
    public Volume<float> ToSingle()
        => Header.HasScaling ? ToDouble().Convert<float>() : Volume.ToSingle(); // scale in double, round once

    /// <summary>Real-world values as float64.</summary>
    public Volume<double> ToDouble()
    {
        var result = Volume.ToDouble();
        if (Header.HasScaling)
        {
            TensorPrimitives.Multiply<double>(result.Data, Header.SclSlope, result.Data);
            TensorPrimitives.Add<double>(result.Data, Header.SclInter, result.Data);
        }
        return result;
    }

    /// <summary>The stored values as <typeparamref name="T"/>, without scaling; throws when the file holds another type.</summary>
    public Volume<T> StoredAs<T>() where T : unmanaged, INumber<T>
        => Volume as Volume<T> ?? throw new InvalidCastException($"the file stores {DataType}, not {typeof(T).Name}");
}
