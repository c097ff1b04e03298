using Zsad.Imaging.Filters;

namespace Zsad.Imaging.Tests.Filters;

/// <summary>The exact Euclidean distance transform against a brute-force search over every mask voxel.</summary>
public sealed class DistanceTransformTests
{
    [Theory]
    [InlineData(1.0, 1.0, 1.0)]
    [InlineData(0.9, 1.3, 3.0)]
    public void Euclidean_EqualsTheDistanceToTheNearestMaskVoxel_OnAnAnisotropicGrid(double sx, double sy, double sz)
    {
        const int nx = 13, ny = 9, nz = 7;
        var rng = new Random(5);
        var mask = new byte[nx * ny * nz];
        for (var v = 0; v < mask.Length; v++)
            mask[v] = (byte)(rng.NextDouble() < 0.03 ? 1 : 0);
        var spacing = new Vec3(sx, sy, sz);

        var distances = DistanceTransform.Euclidean(mask, nx, ny, nz, spacing);

        for (var v = 0; v < mask.Length; v++)
        {
            int i = v % nx, j = v / nx % ny, k = v / (nx * ny);
            var nearest = double.PositiveInfinity;
            for (var m = 0; m < mask.Length; m++)
            {
                if (mask[m] == 0)
                    continue;
                double dx = (m % nx - i) * sx, dy = (m / nx % ny - j) * sy, dz = (m / (nx * ny) - k) * sz;
                nearest = Math.Min(nearest, Math.Sqrt(dx * dx + dy * dy + dz * dz));
            }
            Assert.Equal(nearest, distances[v], 4);
        }
    }

    [Fact]
    public void Euclidean_OfAnEmptyMask_IsInfiniteEverywhere()
    {
        var distances = DistanceTransform.Euclidean(new byte[4 * 3 * 2], 4, 3, 2, new Vec3(1, 1, 1));

        Assert.All(distances, d => Assert.True(float.IsPositiveInfinity(d)));
    }

    [Fact]
    public void Euclidean_RefusesAMaskOfTheWrongSizeAndANonPositiveSpacing()
    {
        Assert.Throws<ArgumentException>(() => DistanceTransform.Euclidean(new byte[5], 2, 2, 2, new Vec3(1, 1, 1)));
        Assert.Throws<ArgumentException>(() => DistanceTransform.Euclidean(new byte[8], 2, 2, 2, new Vec3(1, 0, 1)));
    }
}
