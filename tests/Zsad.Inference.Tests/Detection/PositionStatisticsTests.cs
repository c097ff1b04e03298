using Zsad.Inference.Detection;

namespace Zsad.Inference.Tests.Detection;

/// <summary>Per-place scale of held-out normal distances: mean and std per (height bin, grid cell) over the 3x3x3
/// neighbourhood, leave-one-volume-out, global fallback where a place has few samples.</summary>
public sealed class PositionStatisticsTests
{
    private const int Cells = 28 * 28;
    private static readonly bool[] AllBrain = Enumerable.Repeat(true, Cells).ToArray();

    /// <summary>Distances of one slice: <paramref name="value"/> everywhere, <paramref name="edge"/> in the four left columns.</summary>
    private static float[] Slice(float value, float edge) =>
        Enumerable.Range(0, Cells).Select(p => IsEdge(p) ? edge : value).ToArray();

    private static bool IsEdge(int cell) => cell % 28 < 4;

    [Fact]
    public void Normalize_GivesEachPlaceItsOwnScale_SoAnEdgeThatIsAlwaysFarIsNotUnusual()
    {
        var acc = new PositionStatistics.Accumulator();
        // Two normals, 40 slices each in one height bin: interior distances 1 +- 0.1, left edge 5 +- 1 (uniform).
        var random = new Random(3);
        for (var volume = 0; volume < 2; volume++)
            for (var i = 0; i < 40; i++)
            {
                var d = Enumerable.Range(0, Cells).Select(p => IsEdge(p) ? 5f + (float)(random.NextDouble() * 2 - 1) * 1.7f
                    : 1f + (float)(random.NextDouble() * 2 - 1) * 0.17f).ToArray();
                acc.Add(volume, 0.51, d, AllBrain);
            }
        var stats = acc.Build();

        var test = Slice(1f, 5f);
        stats.Normalize(test, 0.51);
        // The edge at its usual distance and the interior at its usual distance both score about 0.
        Assert.InRange(test[28 * 14], -0.3, 0.3);
        Assert.InRange(test[28 * 14 + 5], -0.3, 0.3);
        // An interior patch three times as far as usual is still nearer than the usual edge in raw distance, but
        // now scores far above it (the std floor, a quarter of the global std, bounds how far above).
        var lesion = Slice(3f, 5f);
        stats.Normalize(lesion, 0.51);
        Assert.True(lesion[28 * 14 + 5] > 3, $"interior score {lesion[28 * 14 + 5]}");
        Assert.True(lesion[28 * 14 + 5] > lesion[28 * 14] + 3, $"interior {lesion[28 * 14 + 5]}, edge {lesion[28 * 14]}");
    }

    [Fact]
    public void Build_LeavingAVolumeOut_UsesOnlyTheOthers()
    {
        var acc = new PositionStatistics.Accumulator();
        for (var i = 0; i < 10; i++)
        {
            acc.Add(0, 0.3, Slice(1f, 1f), AllBrain);
            acc.Add(1, 0.3, Slice(3f, 3f), AllBrain);
        }
        var bin = PositionStatistics.Bin(0.3) * Cells + 28 * 10 + 10;
        Assert.Equal(3f, acc.Build(excludeVolume: 0).Mean[bin], 5);
        Assert.Equal(1f, acc.Build(excludeVolume: 1).Mean[bin], 5);
        Assert.Equal(2f, acc.Build().Mean[bin], 5);
    }

    [Fact]
    public void Build_PlaceWithFewSamples_TakesTheGlobalStatistics_AndStdHasAFloor()
    {
        var acc = new PositionStatistics.Accumulator();
        var onlyOneCell = new bool[Cells];
        onlyOneCell[28 * 10 + 10] = true;
        // Bin of height 0.9: one cell, 20 samples of one value (below MinSamples even with its neighbourhood).
        for (var i = 0; i < 20; i++)
            acc.Add(0, 0.9, Slice(7f, 7f), onlyOneCell);
        // Bin of height 0.1: every cell, values 0 and 2 alternating slices (mean 1, std 1).
        for (var i = 0; i < 40; i++)
            acc.Add(0, 0.1, Slice(i % 2 * 2f, i % 2 * 2f), AllBrain);
        var stats = acc.Build();

        var sparse = PositionStatistics.Bin(0.9) * Cells + 28 * 10 + 10;
        var mean = (40.0 * Cells * 1 + 20 * 7) / (40.0 * Cells + 20); // every sample of both bins
        Assert.Equal((float)mean, stats.Mean[sparse], 4);
        var dense = PositionStatistics.Bin(0.1) * Cells + 28 * 10 + 10;
        Assert.Equal(1f, stats.Mean[dense], 4);
        Assert.Equal(1f, stats.Std[dense], 4);
        Assert.All(stats.Std, s => Assert.True(s >= 0.25f * 0.99f, $"std {s} below the floor"));
    }

    [Fact]
    public void Build_WithoutSamples_IsRefused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new PositionStatistics.Accumulator().Build());
        Assert.Equal("no held-out normal patches to take position statistics from", ex.Message);
    }

    [Fact]
    public void Constructor_RefusesWrongSizesAndNonPositiveStds()
    {
        var n = PositionStatistics.HeightBins * Cells;
        Assert.Throws<ArgumentException>(() => new PositionStatistics(new float[n - 1], new float[n - 1]));
        var std = Enumerable.Repeat(1f, n).ToArray();
        std[5] = 0;
        Assert.Throws<ArgumentException>(() => new PositionStatistics(new float[n], std));
    }
}
