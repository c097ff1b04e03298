namespace Zsad.Reporter.Metrics;

/// <summary>The 2D Dice of one axial slice, with where the slice lies in the brain.</summary>
/// <param name="NormalizedDistance">(z - centre) / half-extent of the brain along z: -1 at the most inferior brain
/// slice, 0 at the centre, 1 at the most superior; outside [-1, 1] for slices beyond the brain.</param>
public readonly record struct SliceDice(int Z, double Dice, long TruthVoxels, long PredictedVoxels, double NormalizedDistance)
{
    public bool HasLesion => TruthVoxels > 0;

    /// <summary>Per-slice Dice for every slice (both empty: 1, see <see cref="Confusion.Dice"/>). The brain extent
    /// comes from <paramref name="brainMask"/> (e.g. non-zero image voxels) when given, else from the whole volume.</summary>
    public static SliceDice[] PerSlice(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth, VolumeShape shape, ReadOnlySpan<bool> brainMask = default)
    {
        shape.Check(prediction.Length, "prediction");
        shape.Check(truth.Length, "truth");
        int first = 0, last = shape.Depth - 1;
        var n = shape.SliceSize;
        if (!brainMask.IsEmpty)
        {
            shape.Check(brainMask.Length, "brain mask");
            first = -1;
            for (var z = 0; z < shape.Depth; z++)
            {
                if (!brainMask.Slice(z * n, n).Contains(true))
                    continue;
                if (first < 0)
                    first = z;
                last = z;
            }
            if (first < 0)
                (first, last) = (0, shape.Depth - 1); // no brain voxel: fall back to the whole volume
        }
        var centre = (first + last) / 2.0;
        var half = (last - first) / 2.0;
        var slices = new SliceDice[shape.Depth];
        for (var z = 0; z < shape.Depth; z++)
        {
            var c = Confusion.Count(prediction.Slice(z * n, n), truth.Slice(z * n, n));
            var distance = half == 0 ? 0 : (z - centre) / half;
            slices[z] = new SliceDice(z, c.Dice, c.TruthCount, c.PredictedCount, distance);
        }
        return slices;
    }
}
