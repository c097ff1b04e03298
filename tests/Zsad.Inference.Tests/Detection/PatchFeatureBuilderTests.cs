using System.Numerics.Tensors;
using Zsad.Inference.Detection;

namespace Zsad.Inference.Tests.Detection;

/// <summary>A change confined to one stride-8 cell (a lesion of about one cell) stays at full strength in that
/// cell's descriptor without stage-2 pooling, and is diluted ninefold with it.</summary>
public sealed class PatchFeatureBuilderTests
{
    private const int G2 = 28, C2 = 128, G3 = 14, C3 = 256;

    private static (float[] Stage2, float[] Stage3) Background()
    {
        var rng = new Random(3);
        var stage2 = new float[C2 * G2 * G2];
        var stage3 = new float[C3 * G3 * G3];
        for (var i = 0; i < stage2.Length; i++)
            stage2[i] = 1 + 0.01f * (float)rng.NextDouble();
        for (var i = 0; i < stage3.Length; i++)
            stage3[i] = 1 + 0.01f * (float)rng.NextDouble();
        return (stage2, stage3);
    }

    /// <summary>Distance between the stage-2 halves of cell (10, 10) with and without a change in channel 0 there.</summary>
    private static float CellChange(bool pool)
    {
        var (stage2, stage3) = Background();
        var before = PatchFeatureBuilder.Build(stage2, stage3, pool);
        stage2[0 * G2 * G2 + 10 * G2 + 10] += 5; // channel 0, one cell
        var after = PatchFeatureBuilder.Build(stage2, stage3, pool);
        var p = (10 * G2 + 10) * SliceFeatures.Dim;
        return TensorPrimitives.Distance(before.AsSpan(p, SliceFeatures.Dim / 2), after.AsSpan(p, SliceFeatures.Dim / 2));
    }

    [Fact]
    public void WithoutPooling_AOneCellChange_IsNotDiluted()
    {
        var unpooled = CellChange(pool: false);
        var pooled = CellChange(pool: true);
        Assert.True(unpooled > 5 * pooled, $"unpooled {unpooled}, pooled {pooled}");
    }

    [Fact]
    public void WithoutPooling_TheNeighbourCell_IsUnchanged()
    {
        var (stage2, stage3) = Background();
        var before = PatchFeatureBuilder.Build(stage2, stage3, poolStage2: false);
        stage2[10 * G2 + 10] += 5;
        var after = PatchFeatureBuilder.Build(stage2, stage3, poolStage2: false);
        var neighbour = (10 * G2 + 11) * SliceFeatures.Dim;
        Assert.Equal(before.AsSpan(neighbour, SliceFeatures.Dim / 2).ToArray(), after.AsSpan(neighbour, SliceFeatures.Dim / 2).ToArray());
    }
}
