using System.Numerics;

namespace Zsad.Imaging.Tests.Support;

/// <summary>Deterministic volumes and geometries for tests.</summary>
public static class TestVolumes
{
    /// <summary>Rotation about an axis by degrees, as a direction triple (columns).</summary>
    public static (Vec3 I, Vec3 J, Vec3 K) Rotated(Vec3 axis, double degrees, (Vec3 I, Vec3 J, Vec3 K) basis)
    {
        var u = axis.Normalized();
        var t = degrees * Math.PI / 180;
        Vec3 R(Vec3 v) => v * Math.Cos(t) + u.Cross(v) * Math.Sin(t) + u * (u.Dot(v) * (1 - Math.Cos(t)));
        return (R(basis.I), R(basis.J), R(basis.K));
    }

    public static readonly (Vec3 I, Vec3 J, Vec3 K) AxialBasis = (Vec3.UnitX, Vec3.UnitY, Vec3.UnitZ);
    /// <summary>DICOM sagittal: rows toward P, columns toward I, normal toward R... here k = i x j.</summary>
    public static readonly (Vec3 I, Vec3 J, Vec3 K) SagittalBasis = (Vec3.UnitY, -Vec3.UnitZ, Vec3.UnitY.Cross(-Vec3.UnitZ));
    public static readonly (Vec3 I, Vec3 J, Vec3 K) CoronalBasis = (Vec3.UnitX, -Vec3.UnitZ, Vec3.UnitX.Cross(-Vec3.UnitZ));

    public static Affine Make((Vec3 I, Vec3 J, Vec3 K) basis, Vec3 spacing, Vec3 origin)
        => Affine.FromColumns(basis.I * spacing.X, basis.J * spacing.Y, basis.K * spacing.Z, origin);

    public static Affine ObliqueLps()
        => Make(Rotated(new Vec3(1, 0.3, 0.2), 23, Rotated(Vec3.UnitZ, 12, AxialBasis)), new Vec3(0.9375, 1.1, 2.5), new Vec3(-101.25, -87.5, 33.75));

    /// <summary>A volume of the NIfTI type name with distinct, full-range values (extremes included).</summary>
    public static Volume Pattern(string type, int nx, int ny, int nz, Affine affine) => type switch
    {
        "uint8" => Fill<byte>(nx, ny, nz, affine),
        "int8" => Fill<sbyte>(nx, ny, nz, affine),
        "int16" => Fill<short>(nx, ny, nz, affine),
        "uint16" => Fill<ushort>(nx, ny, nz, affine),
        "int32" => Fill<int>(nx, ny, nz, affine),
        "uint32" => Fill<uint>(nx, ny, nz, affine),
        "int64" => Fill<long>(nx, ny, nz, affine),
        "uint64" => Fill<ulong>(nx, ny, nz, affine),
        "float32" => Fill<float>(nx, ny, nz, affine),
        "float64" => Fill<double>(nx, ny, nz, affine),
        _ => throw new ArgumentException(type),
    };

    private static Volume<T> Fill<T>(int nx, int ny, int nz, Affine affine) where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        var v = new Volume<T>(nx, ny, nz, affine);
        var rng = new Random(42);
        var bytes = new byte[System.Runtime.InteropServices.Marshal.SizeOf<T>()];
        for (var i = 0; i < v.Data.Length; i++)
        {
            if (typeof(T) == typeof(float))
                v.Data[i] = T.CreateTruncating((rng.NextDouble() - 0.5) * 1e4);
            else if (typeof(T) == typeof(double))
                v.Data[i] = T.CreateTruncating((rng.NextDouble() - 0.5) * 1e12);
            else
            {
                rng.NextBytes(bytes);
                v.Data[i] = System.Runtime.InteropServices.MemoryMarshal.Read<T>(bytes);
            }
        }
        v.Data[0] = T.MinValue;
        v.Data[1] = T.MaxValue;
        return v;
    }

    /// <summary>uint16 values that differ in every voxel, so any misplaced voxel shows.</summary>
    public static Volume<ushort> Distinct(int nx, int ny, int nz, Affine affine)
    {
        var v = new Volume<ushort>(nx, ny, nz, affine);
        for (var i = 0; i < v.Data.Length; i++)
            v.Data[i] = (ushort)((i * 37 + 11) % 65000);
        return v;
    }
}
