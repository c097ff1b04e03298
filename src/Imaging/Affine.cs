using System.Globalization;
using System.Text;

namespace Zsad.Imaging;

/// <summary>A 4x4 homogeneous transform whose last row is (0, 0, 0, 1): voxel index (i, j, k) to patient
/// position in millimetres. Volumes keep it in LPS (the DICOM patient frame); NIfTI's RAS is converted at the
/// file boundary by <see cref="PatientFrame"/> only.</summary>
public sealed class Affine : IEquatable<Affine>
{
    // Row-major 3x4: the implicit fourth row is (0, 0, 0, 1).
    private readonly double[] _m;

    private Affine(double[] m) => _m = m;

    public static Affine Identity { get; } = FromColumns(Vec3.UnitX, Vec3.UnitY, Vec3.UnitZ, Vec3.Zero);

    /// <summary>The transform that takes index axis i to <paramref name="i"/> (a direction scaled by the spacing), and so on.</summary>
    public static Affine FromColumns(Vec3 i, Vec3 j, Vec3 k, Vec3 origin)
        => new([i.X, j.X, k.X, origin.X, i.Y, j.Y, k.Y, origin.Y, i.Z, j.Z, k.Z, origin.Z]);

    /// <summary>From a row-major 4x4 (16 values) or 3x4 (12 values) matrix.</summary>
    public static Affine FromRowMajor(ReadOnlySpan<double> values)
    {
        if (values.Length is not (12 or 16))
            throw new ArgumentException($"an affine needs 12 or 16 values, not {values.Length}", nameof(values));
        if (values.Length == 16 && (values[12] != 0 || values[13] != 0 || values[14] != 0 || values[15] != 1))
            throw new ArgumentException("the last row of a spatial affine must be (0, 0, 0, 1)", nameof(values));
        foreach (var v in values)
            if (!double.IsFinite(v))
                throw new ArgumentException("an affine must hold finite numbers", nameof(values));
        return new Affine(values[..12].ToArray());
    }

    /// <summary>Spacing and direction cosines (unit columns) and origin, the DICOM way of writing the same transform.</summary>
    public static Affine FromGeometry(Vec3 spacing, Vec3 directionI, Vec3 directionJ, Vec3 directionK, Vec3 origin)
        => FromColumns(directionI.Normalized() * spacing.X, directionJ.Normalized() * spacing.Y, directionK.Normalized() * spacing.Z, origin);

    public double this[int row, int column]
    {
        get
        {
            if ((uint)row > 3 || (uint)column > 3)
                throw new ArgumentOutOfRangeException(row > 3 ? nameof(row) : nameof(column));
            return row == 3 ? (column == 3 ? 1 : 0) : _m[row * 4 + column];
        }
    }

    public Vec3 Column(int axis) => (uint)axis <= 3
        ? new Vec3(_m[axis], _m[4 + axis], _m[8 + axis])
        : throw new ArgumentOutOfRangeException(nameof(axis));

    public Vec3 Origin => Column(3);

    /// <summary>Millimetres per voxel step along each index axis.</summary>
    public Vec3 Spacing => new(Column(0).Length, Column(1).Length, Column(2).Length);

    /// <summary>Unit direction of index axis 0, 1 or 2 in patient space (the direction cosines).</summary>
    public Vec3 Direction(int axis) => Column(axis).Normalized();

    public double Determinant
        => _m[0] * (_m[5] * _m[10] - _m[6] * _m[9]) - _m[1] * (_m[4] * _m[10] - _m[6] * _m[8]) + _m[2] * (_m[4] * _m[9] - _m[5] * _m[8]);

    /// <summary>True when the three index axes are mutually perpendicular (no shear), within a tolerance on the cosines.</summary>
    public bool IsOrthogonal(double cosineTolerance = 1e-4)
    {
        var a = Direction(0);
        var b = Direction(1);
        var c = Direction(2);
        return Math.Abs(a.Dot(b)) <= cosineTolerance && Math.Abs(a.Dot(c)) <= cosineTolerance && Math.Abs(b.Dot(c)) <= cosineTolerance;
    }

    public Vec3 Transform(double i, double j, double k)
        => new(_m[0] * i + _m[1] * j + _m[2] * k + _m[3],
               _m[4] * i + _m[5] * j + _m[6] * k + _m[7],
               _m[8] * i + _m[9] * j + _m[10] * k + _m[11]);

    public Vec3 Transform(Vec3 index) => Transform(index.X, index.Y, index.Z);

    /// <summary>this * other: apply <paramref name="other"/> first.</summary>
    public Affine Multiply(Affine other)
    {
        var r = new double[12];
        for (var row = 0; row < 3; row++)
        {
            for (var col = 0; col < 4; col++)
            {
                var s = col == 3 ? _m[row * 4 + 3] : 0;
                for (var k = 0; k < 3; k++)
                    s += _m[row * 4 + k] * other._m[k * 4 + col];
                r[row * 4 + col] = s;
            }
        }
        return new Affine(r);
    }

    public static Affine operator *(Affine a, Affine b) => a.Multiply(b);

    public Affine Inverse()
    {
        var det = Determinant;
        if (det == 0 || !double.IsFinite(det))
            throw new InvalidOperationException("the affine is singular");
        var m = _m;
        // Inverse of the 3x3 block by cofactors, then the translation follows as -R^-1 t.
        var inv = new double[12];
        inv[0] = (m[5] * m[10] - m[6] * m[9]) / det;
        inv[1] = (m[2] * m[9] - m[1] * m[10]) / det;
        inv[2] = (m[1] * m[6] - m[2] * m[5]) / det;
        inv[4] = (m[6] * m[8] - m[4] * m[10]) / det;
        inv[5] = (m[0] * m[10] - m[2] * m[8]) / det;
        inv[6] = (m[2] * m[4] - m[0] * m[6]) / det;
        inv[8] = (m[4] * m[9] - m[5] * m[8]) / det;
        inv[9] = (m[1] * m[8] - m[0] * m[9]) / det;
        inv[10] = (m[0] * m[5] - m[1] * m[4]) / det;
        for (var row = 0; row < 3; row++)
            inv[row * 4 + 3] = -(inv[row * 4] * m[3] + inv[row * 4 + 1] * m[7] + inv[row * 4 + 2] * m[11]);
        return new Affine(inv);
    }

    /// <summary>The row-major 4x4 matrix (16 values).</summary>
    public double[] ToArray() => [.. _m, 0, 0, 0, 1];

    public bool ApproximatelyEquals(Affine other, double tolerance = 1e-6)
    {
        for (var i = 0; i < 12; i++)
            if (Math.Abs(_m[i] - other._m[i]) > tolerance)
                return false;
        return true;
    }

    public double MaxAbsDifference(Affine other)
    {
        var d = 0.0;
        for (var i = 0; i < 12; i++)
            d = Math.Max(d, Math.Abs(_m[i] - other._m[i]));
        return d;
    }

    public bool Equals(Affine? other) => other is not null && _m.AsSpan().SequenceEqual(other._m);

    public override bool Equals(object? obj) => obj is Affine a && Equals(a);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in _m)
            h.Add(v);
        return h.ToHashCode();
    }

    public override string ToString()
    {
        var sb = new StringBuilder("[");
        for (var row = 0; row < 4; row++)
        {
            sb.Append(row == 0 ? "[" : ", [");
            for (var col = 0; col < 4; col++)
                sb.Append(col == 0 ? "" : ", ").Append(this[row, col].ToString("0.######", CultureInfo.InvariantCulture));
            sb.Append(']');
        }
        return sb.Append(']').ToString();
    }
}
