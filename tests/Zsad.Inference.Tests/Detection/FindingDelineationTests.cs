using Zsad.Imaging;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Tests.Detection;

public sealed class FindingDelineationTests
{
    private const double Level = 2, Median = 0;

    private static (Volume<float> Raw, Volume<byte> Mask) Line(params float[] values)
    {
        var raw = new Volume<float>(values.Length, 1, 1, Affine.Identity, values);
        var mask = raw.Like<byte>();
        mask.Data.AsSpan().Fill(1);
        return (raw, mask);
    }

    /// <summary>A finding with peak 10 keeps what lies at or above 0 + 0.5 (10 - 0) = 5; its flank (3, 4) drops to just
    /// under the level. A faint finding (peak 2.5: its cut 1.25 lies under the level) keeps every voxel; voxels under
    /// the level and a second finding separated by them are untouched.</summary>
    [Fact]
    public void Apply_CutsEachFindingAtAFractionOfItsOwnPeak()
    {
        var (raw, mask) = Line(1, 3, 4, 10, 6, 3, 0, 2.2f, 2.5f, 2.1f, 1.9f);
        var lowered = FindingDelineation.Apply(raw, mask, Level, Median, 0.5);
        var under = (float)(Level - 1e-4 * (Level - Median));
        Assert.Equal([1, under, under, 10, 6, under, 0, 2.2f, 2.5f, 2.1f, 1.9f], raw.Data);
        Assert.Equal(3, lowered);
    }

    /// <summary>Findings are 26-connected in 3D: a voxel diagonally next to the peak (in the next slice) belongs to its
    /// finding and is cut, though alone it would be a faint finding of its own and kept.</summary>
    [Fact]
    public void Apply_FindingsAreConnectedAcrossSlicesAndDiagonals()
    {
        var raw = new Volume<float>(2, 2, 2, Affine.Identity);
        raw.Data[0] = 10; // (0, 0, 0)
        raw.Data[7] = 3;  // (1, 1, 1): a corner neighbour
        var mask = raw.Like<byte>();
        mask.Data.AsSpan().Fill(1);
        FindingDelineation.Apply(raw, mask, Level, Median, 0.5);
        Assert.True(raw.Data[7] < Level, $"the corner voxel {raw.Data[7]} was cut with its finding");
        Assert.Equal(10, raw.Data[0]);
    }

    /// <summary>Outside the brain nothing is a finding or connects findings: a bright voxel there neither bridges two
    /// findings (each is cut at its own peak) nor is changed.</summary>
    [Fact]
    public void Apply_OutsideTheBrain_NothingChangesOrConnects()
    {
        var (raw, mask) = Line(10, 4, 50, 3, 2.5f);
        mask.Data[2] = 0;
        FindingDelineation.Apply(raw, mask, Level, Median, 0.5);
        var under = (float)(Level - 1e-4 * (Level - Median));
        Assert.Equal([10, under, 50, 3, 2.5f], raw.Data);
    }

    /// <summary>With a core level of 1 a finding keeps only its voxels whose voxel-scale score reaches 1: its halo
    /// (raw 5, above the peak cut 3, but voxel-scale score 0.2) drops under the level. The second finding has no
    /// voxel at the core level (a lesion seen by its patch score alone) and keeps every voxel.</summary>
    [Fact]
    public void Apply_CoreLevel_CutsTheHaloWithoutVoxelScaleEvidence_AndKeepsAFindingWithoutACore()
    {
        var (raw, mask) = Line(1, 5, 5.5f, 6, 5.5f, 5, 1, 4, 4.5f, 4);
        var (voxelScores, _) = Line(0, 0.2f, 2, 3, 1, 0.2f, 0, 0.5f, 0.6f, 0.5f);
        var lowered = FindingDelineation.Apply(raw, mask, Level, Median, 0.5, (voxelScores, 1));
        var under = (float)(Level - 1e-4 * (Level - Median));
        Assert.Equal([1, under, 5.5f, 6, 5.5f, under, 1, 4, 4.5f, 4], raw.Data);
        Assert.Equal(2, lowered);
    }

    /// <summary>The core is looked for among the voxels the peak cut keeps: a flank voxel below the peak cut does
    /// not give its finding a core, and the finding keeps what the peak cut keeps.</summary>
    [Fact]
    public void Apply_CoreLevel_OnlyVoxelsThePeakCutKeepsMakeACore()
    {
        var (raw, mask) = Line(3, 10, 6);
        var (voxelScores, _) = Line(5, 0.1f, 0.1f);
        FindingDelineation.Apply(raw, mask, Level, Median, 0.5, (voxelScores, 1));
        var under = (float)(Level - 1e-4 * (Level - Median));
        Assert.Equal([under, 10, 6], raw.Data);
    }

    [Fact]
    public void Apply_CoreLevelNotFinite_IsRefused()
    {
        var (raw, mask) = Line(1, 3);
        var (voxelScores, _) = Line(0, 0);
        Assert.StartsWith("the core level must be a finite number, not NaN",
            Assert.Throws<ArgumentException>(() => FindingDelineation.Apply(raw, mask, Level, Median, 0.5, (voxelScores, double.NaN))).Message);
    }

    [Fact]
    public void Apply_ZeroFraction_LeavesTheScoresAlone()
    {
        var (raw, mask) = Line(1, 3, 10, 3);
        Assert.Equal(0, FindingDelineation.Apply(raw, mask, Level, Median, 0));
        Assert.Equal([1, 3, 10, 3], raw.Data);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Apply_FractionOutsideZeroToOne_IsRefused(double fraction)
    {
        var (raw, mask) = Line(1, 3);
        Assert.StartsWith("the delineation fraction must be 0 (off) or more and below 1",
            Assert.Throws<ArgumentException>(() => FindingDelineation.Apply(raw, mask, Level, Median, fraction)).Message);
    }
}
