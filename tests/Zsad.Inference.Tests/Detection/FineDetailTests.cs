using System.Numerics.Tensors;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Tests.Detection;

/// <summary>The fine detail of the memory detector: stage-1 descriptors per stride-4 cell, their leave-one-out scale,
/// and the search on the fine grid.</summary>
public sealed class FineDetailTests
{
    private const int G = SliceFeatures.FineGrid, D = SliceFeatures.FineDim, Cells = G * G;

    private static float[] Stage1(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, D * Cells).Select(_ => 1 + 0.1f * (float)rng.NextDouble()).ToArray();
    }

    [Fact]
    public void BuildFine_IsPatchMajor_UnitLength_AndAOneCellChangeStaysInThatCell()
    {
        var stage1 = Stage1(1);
        var before = PatchFeatureBuilder.BuildFine(stage1);
        stage1[3 * Cells + 20 * G + 30] += 4; // channel 3 of cell (20, 30)
        var after = PatchFeatureBuilder.BuildFine(stage1);

        Assert.Equal(Cells * D, before.Length);
        for (var p = 0; p < Cells; p += 97)
            Assert.Equal(1f, TensorPrimitives.Norm(before.AsSpan(p * D, D)), 4);
        var cell = 20 * G + 30;
        Assert.True(TensorPrimitives.Distance(before.AsSpan(cell * D, D), after.AsSpan(cell * D, D)) > 0.3f);
        Assert.Equal(before.AsSpan((cell + 1) * D, D).ToArray(), after.AsSpan((cell + 1) * D, D).ToArray());
        // Patch-major: channel 3 of that cell is element 3 of its row (before normalising, it was the largest).
        var row = after.AsSpan(cell * D, D).ToArray();
        Assert.Equal(3, Array.IndexOf(row, row.Max()));
    }

    [Fact]
    public void BuildFine_WrongSize_IsRefused() =>
        Assert.Throws<ArgumentException>(() => PatchFeatureBuilder.BuildFine(new float[D * 28 * 28]));

    [Fact]
    public void FineScale_LeavesTheExcludedVolumeOut()
    {
        var brain = Enumerable.Repeat(true, 4).ToArray();
        var acc = new FineScale.Accumulator();
        acc.Add(0, [1, 1, 1, 1], brain);
        acc.Add(1, [2, 4, 2, 4], brain);
        acc.Add(2, [100, 100, 100, 100], [false, false, false, false]); // outside the brain: not counted

        var withoutFirst = acc.Build(excludeVolume: 0);
        Assert.Equal(3f, withoutFirst.Mean, 5);
        Assert.Equal(1f, withoutFirst.Std, 5);
        var all = acc.Build();
        Assert.Equal(2f, all.Mean, 5);

        var distances = new float[] { 3, 5 };
        withoutFirst.Normalize(distances);
        Assert.Equal([0f, 2f], distances);
        Assert.Throws<InvalidOperationException>(() => acc.Build(excludeVolume: 1)); // volume 0 alone does not vary
    }

    [Fact]
    public void MinFineDistances_FindsTheSameDescriptorNearby_AndSkipsTheExcludedVolume()
    {
        var normal = PatchFeatureBuilder.BuildFine(Stage1(2));
        // The query is the normal shifted one fine cell to the right: within the radius, every cell finds itself.
        var shifted = new float[normal.Length];
        for (var y = 0; y < G; y++)
            for (var x = 0; x < G; x++)
                normal.AsSpan((y * G + Math.Max(0, x - 1)) * D, D).CopyTo(shifted.AsSpan((y * G + x) * D, D));
        var other = PatchFeatureBuilder.BuildFine(Stage1(3));
        var coarse = new float[SliceFeatures.Grid * SliceFeatures.Grid * SliceFeatures.Dim];
        var brain = new bool[SliceFeatures.Grid * SliceFeatures.Grid];
        var bank = new PatchMemoryBank();
        bank.Add(0, new SliceFeatures(0, 0.5, coarse, brain) { Fine = normal });
        bank.Add(1, new SliceFeatures(0, 0.5, coarse, brain) { Fine = other });
        var query = new SliceFeatures(0, 0.5, coarse, brain) { Fine = shifted };

        Assert.All(bank.MinFineDistances(query, 0.04, radius: 1), d => Assert.True(d < 1e-5f, $"distance {d}"));
        Assert.All(bank.MinFineDistances(query, 0.04, radius: 1, excludeVolume: 0), d => Assert.True(d > 1e-3f, $"distance {d}"));
    }

    [Fact]
    public void MinFineDistances_BankWithoutFineDescriptors_IsRefused()
    {
        var coarse = new float[SliceFeatures.Grid * SliceFeatures.Grid * SliceFeatures.Dim];
        var brain = new bool[SliceFeatures.Grid * SliceFeatures.Grid];
        var bank = new PatchMemoryBank();
        bank.Add(0, new SliceFeatures(0, 0.5, coarse, brain));
        var query = new SliceFeatures(0, 0.5, coarse, brain) { Fine = PatchFeatureBuilder.BuildFine(Stage1(4)) };
        Assert.Throws<InvalidOperationException>(() => bank.MinFineDistances(query, 0.04, 1));
    }
}
