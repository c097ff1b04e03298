using Zsad.Imaging;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Tests.Detection;

public sealed class FindingMassTests
{
    private const double Level = 2, Median = 0;

    /// <summary>A row of 2 mm voxels (8 mm³ each), all brain but the one at x = 12.</summary>
    private static (Volume<float> Raw, Volume<byte> Mask) Row(params float[] values)
    {
        var affine = Affine.FromColumns(new Vec3(2, 0, 0), new Vec3(0, 2, 0), new Vec3(0, 0, 2), Vec3.Zero);
        var raw = new Volume<float>(values.Length, 1, 1, affine, values);
        var mask = raw.Like<byte>();
        mask.Data.AsSpan().Fill(1);
        mask.Data[12] = 0;
        return (raw, mask);
    }

    /// <summary>Each finding's mass sums how far its voxels lie above the level, in units of (level - median), times
    /// 8 mm³: one voxel at 4 weighs (4 - 2) / 2 · 8 = 8, three at 3 weigh 3 · 0.5 · 8 = 12. Voxels under the level and
    /// outside the brain (x = 12, at 10) are in no finding.</summary>
    [Fact]
    public void Of_SumsTheHeightAboveTheLevel_TimesTheVoxelVolume()
    {
        var (raw, mask) = Row(0, 4, 1, 3, 3, 3, 0, 0, 0, 0, 0, 0, 10);
        var (masses, labels) = FindingMass.Of(raw, mask, Level, Median);
        Assert.Equal([8.0, 12.0], masses);
        Assert.Equal([0, 1, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0], labels);
    }

    /// <summary>Above a minimum mass of 10, the light finding (8) drops to just under the level and the heavy one (12)
    /// stays; so do the voxels under the level and the one outside the brain.</summary>
    [Fact]
    public void KeepHeavierThan_LowersTheLightFindingsOnly()
    {
        var (raw, mask) = Row(0, 4, 1, 3, 3, 3, 0, 0, 0, 0, 0, 0, 10);
        var lowered = FindingMass.KeepHeavierThan(raw, mask, Level, Median, minMass: 10);
        var under = (float)(Level - 1e-4 * (Level - Median));
        Assert.Equal(1, lowered);
        Assert.Equal([0, under, 1, 3, 3, 3, 0, 0, 0, 0, 0, 0, 10], raw.Data);
    }

    /// <summary>Four normals with six findings between them: at 0.5 false findings per scan the two heaviest pass and
    /// the third sets the level; at 0 the heaviest sets it (none passes); when more may pass than there are findings
    /// the level is 0 (every finding is kept).</summary>
    [Theory]
    [InlineData(0.5, 9.0)]
    [InlineData(0.0, 40.0)]
    [InlineData(0.74, 9.0)]
    [InlineData(1.0, 3.0)]
    [InlineData(2.0, 0.0)]
    public void Level_LetsTheStatedFalseFindingsPerScanThrough(double perScan, double level) =>
        Assert.Equal(level, FindingMass.Level([3, 40, 9, 0.5, 12, 5], normals: 4, perScan));

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Level_BadFalseFindingsPerScan_IsRefused(double perScan) =>
        Assert.StartsWith("the false findings per healthy scan must be a finite number of 0 or more",
            Assert.Throws<ArgumentException>(() => FindingMass.Level([1], normals: 1, perScan)).Message);
}
