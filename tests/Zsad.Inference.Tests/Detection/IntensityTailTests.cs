using Zsad.Inference.Detection;

namespace Zsad.Inference.Tests.Detection;

/// <summary>The voxel-scale intensity tail: its table against the two-sided tail it stands for, its ends, and what a
/// bundle may not hold.</summary>
public sealed class IntensityTailTests
{
    private static float[] Normal(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
    }

    // -log10(2 · min(F, 1 - F) + 1/n), F the share of the values below s: what the table stands for.
    private static double Exact(float[] sorted, float s)
    {
        var n = sorted.Length;
        var below = sorted.Count(v => v < s) / (double)n;
        return -Math.Log10(Math.Min(1, 2 * Math.Min(below, 1 - below) + 1.0 / n));
    }

    /// <summary>Out to 3 standard deviations, where a 20,000-value sample still holds dozens beyond: further out the
    /// exact tail moves in steps of one sample, wider than a level.</summary>
    [Fact]
    public void Score_FollowsTheTwoSidedTailOfTheNormals_WithinOneLevel()
    {
        var values = Normal(20_000, 1);
        var tail = IntensityTail.FromValues((float[])values.Clone());
        var sorted = values.Order().ToArray();
        foreach (var s in new[] { -3f, -2.5f, -2f, -1f, -0.3f, 0f, 0.3f, 1f, 2f, 2.5f, 3f })
        {
            var exact = Exact(sorted, s);
            Assert.True(Math.Abs(tail.Score(s) - exact) <= IntensityTail.DefaultStep + 1e-6, $"value {s}: table {tail.Score(s):F3}, exact {exact:F3}");
        }
    }

    [Fact]
    public void Score_IsZeroAtTheMedian_RisesOutwards_AndIsLog10NBeyondEveryNormal()
    {
        var tail = IntensityTail.FromValues(Normal(10_000, 2));

        Assert.Equal(0f, tail.Score((tail.Lower[0] + tail.Upper[0]) / 2));
        Assert.Equal(4f, tail.MaxScore, 5);
        Assert.Equal(tail.MaxScore, tail.Score(50f));
        Assert.Equal(tail.MaxScore, tail.Score(-50f));
        var previousBright = 0f;
        var previousDark = 0f;
        for (var s = 0.25f; s <= 5; s += 0.25f)
        {
            Assert.True(tail.Score(s) >= previousBright, $"bright side falls at {s}");
            Assert.True(tail.Score(-s) >= previousDark, $"dark side falls at {-s}");
            previousBright = tail.Score(s);
            previousDark = tail.Score(-s);
        }
        Assert.True(tail.Score(3f) > 2f && tail.Score(-3f) > 2f, $"3 std out scores {tail.Score(3f):F2} / {tail.Score(-3f):F2}");
    }

    [Fact]
    public void AddTo_AddsTheWeightedScoreOnBrainPixelsOnly()
    {
        var tail = IntensityTail.FromValues(Normal(1_000, 3));
        var raw = new float[] { 1, 1, 1 };
        var median = (tail.Lower[0] + tail.Upper[0]) / 2;
        tail.AddTo([50f, 50f, median], [1, 0, 1], weight: 2, raw);
        Assert.Equal([1 + 2 * tail.MaxScore, 1, 1], raw);
    }

    [Fact]
    public void Constructor_RefusesTablesThatAreNotATail()
    {
        var tail = IntensityTail.FromValues(Normal(1_000, 4));
        var lower = tail.Lower;
        var upper = tail.Upper;

        Assert.Contains("need", Assert.Throws<ArgumentException>(() => new IntensityTail(tail.Voxels * 100, tail.Step, lower, upper)).Message);
        var rising = (float[])lower.Clone();
        rising[^1] = rising[0] + 1;
        Assert.Contains("must not rise", Assert.Throws<ArgumentException>(() => new IntensityTail(tail.Voxels, tail.Step, rising, upper)).Message);
        var nan = (float[])upper.Clone();
        nan[3] = float.NaN;
        Assert.Contains("not a finite number", Assert.Throws<ArgumentException>(() => new IntensityTail(tail.Voxels, tail.Step, lower, nan)).Message);
        Assert.Throws<ArgumentException>(() => IntensityTail.FromValues([1f]));
        Assert.Throws<ArgumentException>(() => IntensityTail.FromValues([1f, float.PositiveInfinity, 2f]));
    }
}
