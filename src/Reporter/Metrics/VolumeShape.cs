namespace Zsad.Reporter.Metrics;

/// <summary>The size of a volume stored flat with x fastest: index = (z * Height + y) * Width + x. Slices are
/// axial planes of constant z, and z grows towards superior (the LPS/RAS convention after reorientation).</summary>
public readonly record struct VolumeShape(int Width, int Height, int Depth)
{
    public int SliceSize => Width * Height;

    public long VoxelCount => (long)Width * Height * Depth;

    internal void Check(int length, string what)
    {
        if (Width <= 0 || Height <= 0 || Depth <= 0)
            throw new ArgumentException($"volume shape {Width}x{Height}x{Depth} has an empty dimension");
        if (length != VoxelCount)
            throw new ArgumentException($"{what} holds {length} voxels; the shape {Width}x{Height}x{Depth} needs {VoxelCount}");
    }
}
