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

    /// <summary>A round finding (raw 6 out to 6 mm) around a lesion of radius 4 mm whose core (to 3 mm) is dark and whose
    /// blurred edge (3-4 mm) lies between the core and the tissue around it, followed by a halo of normal tissue. Only
    /// the core reaches the core level, and one halo voxel (rough, say) at 5 mm. A dark spot (like a sulcus) lies in the
    /// halo 3 mm from the core.</summary>
    private static (Volume<float> Raw, Volume<byte> Mask, Volume<float> VoxelScores, Volume<float> Image) RoundFinding(float core, float edge, float tissue)
    {
        const int n = 27, c = 13;
        var raw = new Volume<float>(n, n, n, Affine.Identity);
        var mask = raw.Like<byte>();
        mask.Data.AsSpan().Fill(1);
        var voxelScores = raw.Like<float>();
        var image = raw.Like<float>();
        var noise = new Random(3);
        for (var k = 0; k < n; k++)
            for (var j = 0; j < n; j++)
                for (var i = 0; i < n; i++)
                {
                    var r = Math.Sqrt((i - c) * (i - c) + (j - c) * (j - c) + (k - c) * (k - c));
                    raw[i, j, k] = r <= 6 ? 6 : 0;
                    voxelScores[i, j, k] = r <= 3 ? 2 : r <= 4 ? 0.5f : 0.2f;
                    image[i, j, k] = r <= 3 ? core : r <= 4 ? edge : tissue + (float)(10 * noise.NextDouble() - 5);
                }
        image[c + 6, c, c] = core;
        voxelScores[c, c + 5, c] = 2;
        return (raw, mask, voxelScores, image);
    }

    /// <summary>Voxels of a <see cref="RoundFinding"/> at or above the level, at radii <paramref name="atRadius"/> accepts.</summary>
    private static int Flagged(Volume<float> raw, Func<double, bool> atRadius)
    {
        var flagged = 0;
        for (var v = 0; v < raw.Data.Length; v++)
        {
            int i = v % raw.SizeX - 13, j = v / raw.SizeX % raw.SizeY - 13, k = v / (raw.SizeX * raw.SizeY) - 13;
            if (atRadius(Math.Sqrt(i * i + j * j + k * k)) && raw.Data[v] >= Level)
                flagged++;
        }
        return flagged;
    }

    /// <summary>The core cut alone drops the lesion's blurred edge and keeps the halo voxel that reaches the core level.
    /// Following the half-contrast edge within 2 mm, the finding keeps the core and the edge (on the core's side of the
    /// midpoint between core and tissue, dark or bright) and drops that halo voxel; the dark spot in the halo, beyond
    /// the reach, stays cut.</summary>
    [Theory]
    [InlineData(20f, 50f, 100f)]
    [InlineData(180f, 150f, 100f)]
    public void Apply_Edge_KeepsTheLesionsHalfContrastEdge_AndCutsTheHalo(float core, float edge, float tissue)
    {
        var (raw, mask, voxelScores, image) = RoundFinding(core, edge, tissue);
        var coreCutOnly = raw.Clone();
        FindingDelineation.Apply(coreCutOnly, mask, Level, Median, 0.5, (voxelScores, 1));
        FindingDelineation.Apply(raw, mask, Level, Median, 0.5, (voxelScores, 1), (image, 2));

        var coreVoxels = Flagged(RoundFinding(core, edge, tissue).Raw, r => r <= 3);
        var edgeVoxels = Flagged(RoundFinding(core, edge, tissue).Raw, r => r is > 3 and <= 4);
        Assert.Equal(coreVoxels, Flagged(coreCutOnly, r => r <= 3));
        Assert.Equal(0, Flagged(coreCutOnly, r => r is > 3 and <= 4));
        Assert.Equal(1, Flagged(coreCutOnly, r => r > 4));
        Assert.Equal(coreVoxels, Flagged(raw, r => r <= 3));
        Assert.Equal(edgeVoxels, Flagged(raw, r => r is > 3 and <= 4));
        Assert.Equal(0, Flagged(raw, r => r > 4));
    }

    /// <summary>A finding whose core has the tissue's intensity (a lesion seen by its texture) has no intensity edge:
    /// the core cut decides, edge voxels of any intensity drop and the rough halo voxel stays.</summary>
    [Fact]
    public void Apply_Edge_AFindingWithoutIntensityContrastKeepsTheCoreCut()
    {
        var (raw, mask, voxelScores, image) = RoundFinding(core: 100, edge: 20, tissue: 100);
        var coreCutOnly = raw.Clone();
        FindingDelineation.Apply(coreCutOnly, mask, Level, Median, 0.5, (voxelScores, 1));
        FindingDelineation.Apply(raw, mask, Level, Median, 0.5, (voxelScores, 1), (image, 2));
        Assert.Equal(coreCutOnly.Data, raw.Data);
        Assert.Equal(1, Flagged(raw, r => r > 3));
    }

    [Fact]
    public void Apply_Edge_IsRefusedWithoutACoreOrWithANegativeReach()
    {
        var (raw, mask, voxelScores, image) = RoundFinding(20, 50, 100);
        Assert.StartsWith("the half-contrast edge starts from the core cut",
            Assert.Throws<ArgumentException>(() => FindingDelineation.Apply(raw, mask, Level, Median, 0.5, null, (image, 2))).Message);
        Assert.StartsWith("the edge reach must be a finite number of mm, 0 (off) or more, not -1",
            Assert.Throws<ArgumentException>(() => FindingDelineation.Apply(raw, mask, Level, Median, 0.5, (voxelScores, 1), (image, -1))).Message);
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
