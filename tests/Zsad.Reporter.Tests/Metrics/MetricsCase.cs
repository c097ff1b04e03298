using System.Text.Json;
using Zsad.Reporter.Metrics;

namespace Zsad.Reporter.Tests.Metrics;

/// <summary>A shared test vector: a few small volumes of scores and truth masks, given to both Zsad and the
/// sklearn/scipy/numpy reference.</summary>
public sealed record MetricsCase(string Name, VolumeShape Shape, float Threshold, IReadOnlyList<(float[] Scores, bool[] Truth)> Volumes)
{
    public override string ToString() => Name;

    public static readonly VolumeShape Small = new(7, 6, 5);

    public static IEnumerable<MetricsCase> All()
    {
        yield return new("random-with-ties", Small, 0.5f, [Volume(1, 0.1f), Volume(2, 0.1f), Volume(3, 0.05f)]);
        yield return new("continuous-scores", Small, 0.42f, [Volume(4, 0), Volume(5, 0), Volume(6, 0), Volume(7, 0)]);
        yield return new("one-volume-with-empty-truth", Small, 0.5f, [Volume(8, 0.1f), Volume(9, 0.1f, emptyTruth: true)]);
        yield return new("empty-prediction", Small, 2f, [Volume(10, 0.1f), Volume(11, 0.1f)]);
        yield return new("empty-truth-and-prediction", Small, 2f, [Volume(12, 0.1f, emptyTruth: true), Volume(13, 0.1f)]);
        yield return new("no-positive-voxel-anywhere", Small, 0.5f, [Volume(14, 0.1f, emptyTruth: true), Volume(15, 0.1f, emptyTruth: true)]);
        yield return new("all-scores-equal", Small, 0.5f, [Constant(16, 0.5f), Constant(17, 0.5f)]);
        yield return new("perfect-separation", Small, 0.5f, [Perfect(18), Perfect(19), Perfect(20)]);
    }

    /// <summary>Two ellipsoid lesions plus scattered voxels, scores correlated with the truth; quantised to
    /// <paramref name="step"/> (0: continuous) to create ties.</summary>
    private static (float[], bool[]) Volume(int seed, float step, bool emptyTruth = false)
    {
        var rng = new Random(seed);
        var s = Small;
        var scores = new float[s.VoxelCount];
        var truth = new bool[s.VoxelCount];
        var (cx, cy, cz) = (rng.Next(1, 6), rng.Next(1, 5), rng.Next(1, 4));
        for (var z = 0; z < s.Depth; z++)
            for (var y = 0; y < s.Height; y++)
                for (var x = 0; x < s.Width; x++)
                {
                    var i = (z * s.Height + y) * s.Width + x;
                    var inLesion = (x - cx) * (x - cx) + (y - cy) * (y - cy) + 2 * (z - cz) * (z - cz) <= 3 || (x == 6 && y == 0 && z == seed % 5);
                    truth[i] = !emptyTruth && inLesion;
                    var score = (float)(rng.NextDouble() * 0.6 + (truth[i] ? 0.35 : 0));
                    scores[i] = step > 0 ? MathF.Round(score / step) * step : score;
                }
        return (scores, truth);
    }

    private static (float[], bool[]) Constant(int seed, float value)
    {
        var (_, truth) = Volume(seed, 0);
        return (Enumerable.Repeat(value, truth.Length).ToArray(), truth);
    }

    private static (float[], bool[]) Perfect(int seed)
    {
        var (_, truth) = Volume(seed, 0);
        return (truth.Select(t => t ? 0.9f : 0.1f).ToArray(), truth);
    }

    public string ToJson(int bins) => JsonSerializer.Serialize(new
    {
        shape = new[] { Shape.Width, Shape.Height, Shape.Depth },
        threshold = Threshold,
        bins,
        volumes = Volumes.Select(v => new { scores = v.Scores, truth = v.Truth.Select(t => t ? 1 : 0) }),
    });
}
