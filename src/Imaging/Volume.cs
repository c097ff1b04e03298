namespace Zsad.Imaging;

/// <summary>A 3D image on a voxel grid with its LPS affine. Voxels are stored with i (the first index) varying
/// fastest, then j, then k: NIfTI's on-disk order, and DICOM's (column, row, slice) order.</summary>
public abstract class Volume
{
    protected Volume(int sizeX, int sizeY, int sizeZ, Affine affine)
    {
        if (sizeX < 1 || sizeY < 1 || sizeZ < 1)
            throw new ArgumentOutOfRangeException(nameof(sizeX), $"volume dimensions must be positive, not {sizeX}x{sizeY}x{sizeZ}");
        var count = (long)sizeX * sizeY * sizeZ;
        if (count > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(sizeX), $"{sizeX}x{sizeY}x{sizeZ} voxels exceed the largest array .NET can hold");
        SizeX = sizeX;
        SizeY = sizeY;
        SizeZ = sizeZ;
        Affine = affine ?? throw new ArgumentNullException(nameof(affine));
    }

    public int SizeX { get; }
    public int SizeY { get; }
    public int SizeZ { get; }

    /// <summary>Size along index axis 0, 1 or 2.</summary>
    public int Size(int axis) => axis switch
    {
        0 => SizeX,
        1 => SizeY,
        2 => SizeZ,
        _ => throw new ArgumentOutOfRangeException(nameof(axis)),
    };

    public int VoxelCount => SizeX * SizeY * SizeZ;

    /// <summary>Voxel index (i, j, k) to LPS patient position in millimetres.</summary>
    public Affine Affine { get; }

    public Vec3 Spacing => Affine.Spacing;

    /// <summary>Volume of one voxel in mm³: the determinant of the affine's axes (right for sheared grids too).</summary>
    public double VoxelVolumeMm3 => Math.Abs(Affine.Column(0).Dot(Affine.Column(1).Cross(Affine.Column(2))));

    public Vec3 Origin => Affine.Origin;

    /// <summary>Orientation letters of the index axes in LPS terms, e.g. "LPS" for a plain axial DICOM stack.</summary>
    public string AxisCodes => PatientFrame.AxisCodes(Affine);

    public abstract Type ElementType { get; }

    public int IndexOf(int i, int j, int k)
    {
        if ((uint)i >= (uint)SizeX || (uint)j >= (uint)SizeY || (uint)k >= (uint)SizeZ)
            throw new ArgumentOutOfRangeException(nameof(i), $"voxel ({i}, {j}, {k}) is outside {SizeX}x{SizeY}x{SizeZ}");
        return i + SizeX * (j + SizeY * k);
    }

    public bool HasSameGrid(Volume other, double tolerance = 1e-4)
        => SizeX == other.SizeX && SizeY == other.SizeY && SizeZ == other.SizeZ && Affine.ApproximatelyEquals(other.Affine, tolerance);

    /// <summary>The voxels as float32 (exact for 8- and 16-bit integers).</summary>
    public abstract Volume<float> ToSingle();

    /// <summary>The voxels as float64 (exact for integers up to 2^53).</summary>
    public abstract Volume<double> ToDouble();

    public override string ToString()
        => $"{ElementType.Name} {SizeX}x{SizeY}x{SizeZ} {AxisCodes} spacing {Spacing}";
}
