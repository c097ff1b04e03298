namespace Zsad.Imaging.Tests.Support;

/// <summary>Compares volumes in patient coordinates, so that two readers that store the same image with flipped
/// or permuted axes (dcm2niix flips rows to suit NIfTI viewers) still compare voxel by voxel.</summary>
public static class VolumeAssert
{
    /// <summary>Asserts that the grids coincide up to a permutation and flips of the axes, and that every voxel of
    /// <paramref name="actual"/> equals the voxel of <paramref name="expected"/> at the same position.</summary>
    public static void SameInWorld(Volume<double> expected, Volume<double> actual, double positionTolerance = 1e-3, double valueTolerance = 0)
    {
        // index in actual -> index in expected: M = inv(A_expected) * A_actual must be a signed permutation plus an integer shift
        var m = expected.Affine.Inverse() * actual.Affine;
        var perm = new int[3];
        var sign = new int[3];
        var shift = new int[3];
        for (var row = 0; row < 3; row++)
        {
            var found = false;
            for (var col = 0; col < 3; col++)
            {
                var v = m[row, col];
                if (Math.Abs(Math.Abs(v) - 1) < positionTolerance)
                {
                    Assert.False(found, $"the grids are not aligned: {m}");
                    found = true;
                    perm[row] = col;
                    sign[row] = Math.Sign(v);
                }
                else
                {
                    Assert.True(Math.Abs(v) < positionTolerance, $"the grids are not aligned (rotated or scaled): {m}");
                }
            }
            Assert.True(found, $"the grids are not aligned: {m}");
            shift[row] = (int)Math.Round(m[row, 3]);
            Assert.True(Math.Abs(m[row, 3] - shift[row]) < positionTolerance, $"the grids are offset by a fraction of a voxel: {m}");
        }
        Assert.Equal(expected.VoxelCount, actual.VoxelCount);
        Span<int> a = stackalloc int[3];
        for (var k = 0; k < actual.SizeZ; k++)
            for (var j = 0; j < actual.SizeY; j++)
                for (var i = 0; i < actual.SizeX; i++)
                {
                    a[0] = i; a[1] = j; a[2] = k;
                    int ei = sign[0] * a[perm[0]] + shift[0], ej = sign[1] * a[perm[1]] + shift[1], ek = sign[2] * a[perm[2]] + shift[2];
                    var e = expected[ei, ej, ek];
                    var v = actual[i, j, k];
                    if (Math.Abs(e - v) > valueTolerance)
                        Assert.Fail($"voxel ({i}, {j}, {k}) is {v}; the voxel at the same position, ({ei}, {ej}, {ek}), is {e}");
                }
    }
}
