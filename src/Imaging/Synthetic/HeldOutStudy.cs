using Zsad.Imaging.Preprocessing;

namespace Zsad.Imaging.Synthetic;

/// <summary>The held-out synthetic study of docs/detectors.md: a second generator setting that was never used to pick
/// any detector setting (those come from <see cref="TemplateStudy"/>). Other seeds, a stronger warp (6 mm), stronger
/// bias (12 %) and noise (2.5 %), wider gamma (0.8-1.25) and scale (0.92-1.08), random left-right flips; test volumes
/// hold 0 to 6 lesions of diameters 3, 5, 7.5, 10 and 15 mm, a third of them in the cortex at the brain's edge. The
/// site's normals are lesion-free volumes of the same generator (other seeds), as a site's own normal scans would be.</summary>
public static class HeldOutStudy
{
    public static IReadOnlyList<double> DiametersMm { get; } = [3, 5, 7.5, 10, 15];

    /// <summary>Lesions per test volume: 10 volumes, 3 of them lesion-free, 24 lesions.</summary>
    public static IReadOnlyList<int> LesionCounts { get; } = [0, 1, 2, 3, 4, 5, 6, 0, 3, 0];

    public sealed record Lesion(Volume<byte> Mask, LesionKind Kind, double DiameterMm, bool Cortical);

    /// <param name="LeftOut">Lesions of the layout that fit nowhere in this brain on this grid (none at 1 mm so far).</param>
    public sealed record Case(string Name, Volume<float> Image, Volume<byte> Brain, Volume<byte> Truth, IReadOnlyList<Lesion> Lesions,
        IReadOnlyList<(double DiameterMm, bool Cortical)> LeftOut);

    /// <param name="mixSeed">Draw the flip, scale and gamma from a hash of <paramref name="seed"/> (draws from <see
    /// cref="FirstMixedDraw"/> on). Without it, System.Random's first outputs follow seeds 7919 apart almost
    /// linearly: subject n's flip and scale barely change from draw to draw, and a draw's subjects go unflipped in
    /// runs (in draws 2-7 the first two normals of eight, and only they, are unflipped).</param>
    public static BrainTransform Transform(int seed, bool mixSeed = false)
    {
        var rng = new Random(mixSeed ? MixedSeed(seed) : seed * 7919);
        return new BrainTransform(seed, FlipLeftRight: rng.NextDouble() < 0.5, Scale: 0.92 + 0.16 * rng.NextDouble(), DeformMm: 6,
            Gamma: 0.8 + 0.45 * rng.NextDouble(), BiasAmplitude: 0.12, NoiseFraction: 0.025);
    }

    /// <summary>SplitMix64's finaliser of <paramref name="seed"/>, as a non-negative int: neighbouring seeds give
    /// unrelated Random streams.</summary>
    private static int MixedSeed(int seed)
    {
        var z = (ulong)seed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    /// <summary>One draw of the study: its test volumes and the site's normals, both from one generator.</summary>
    /// <param name="Name">What the study prints and the case names start with.</param>
    /// <param name="Test">Transform of test volume n.</param>
    /// <param name="Normal">Transform of site normal n.</param>
    /// <param name="LesionSeed">Seed of the first lesion (lesion i uses LesionSeed + i).</param>
    public sealed record Setting(string Name, Func<int, BrainTransform> Test, Func<int, BrainTransform> Normal, int LesionSeed)
    {
        public IReadOnlyList<Case> Cases(Volume<float> template) => HeldOutStudy.Cases(template, Test, LesionSeed, Name);

        public IReadOnlyList<Volume<float>> Normals(Volume<float> template, int count)
            => Enumerable.Range(0, count).Select(n => TemplateBrain.Apply(template, Normal(n))).ToList();
    }

    /// <summary>The held-out study's first draw: test seeds 500 + n, site normals 700 + n. Looked at five times while
    /// settings were chosen elsewhere (docs/detectors.md), so no longer unseen.</summary>
    public static Setting FirstDraw { get; } = new("heldout", n => Transform(500 + n), n => Transform(700 + n), LesionSeed: 5000);

    /// <summary>The last draw whose lesion seeds stay below the development study's (9000).</summary>
    public const int LastDraw = 30;

    /// <summary>The first draw whose subjects' flip, scale and gamma come from hashed seeds; draws before it are kept as
    /// they were reported.</summary>
    public const int FirstMixedDraw = 8;

    /// <summary>Draw <paramref name="k"/> (2 or more) of the held-out generator: test seeds 600 + 1000 (k - 2) + n, site
    /// normals 800 + 1000 (k - 2) + n, lesions 6000 + 100 (k - 2) + i; disjoint from the first draw's and the
    /// development seeds. Each draw is for one report of settings chosen before it was looked at. From <see
    /// cref="FirstMixedDraw"/> on, flips, scales and gammas come from hashed seeds (<see cref="Transform"/>).</summary>
    public static Setting Draw(int k)
    {
        if (k == 1)
            return FirstDraw;
        if (k is < 1 or > LastDraw)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"held-out draws are numbered 1 to {LastDraw}");
        var offset = 1000 * (k - 2);
        var mix = k >= FirstMixedDraw;
        return new Setting($"heldout{k}", n => Transform(600 + offset + n, mix), n => Transform(800 + offset + n, mix), LesionSeed: 6000 + 100 * (k - 2));
    }

    /// <summary>The same lesion layout on the development generator (<see cref="TemplateStudy.TestTransform"/>, other
    /// lesion seeds, <see cref="TemplateStudy.DevelopmentNormals"/>): where settings are tried.</summary>
    public static Setting Development { get; } = new("development", TemplateStudy.TestTransform, TemplateStudy.DevelopmentNormal, LesionSeed: 9000);

    /// <summary>The development seeds (test 101 + n, normals 11 + n, lesions 9000 + i) at the held-out generator's
    /// strengths (warp, bias, noise, gamma, scale, flips): for trying settings against noise and bias as strong as
    /// the held-out study's without its seeds.</summary>
    public static Setting StrongDevelopment { get; } = new("development-strong", n => Transform(101 + n), n => Transform(11 + n), LesionSeed: 9000);

    private static IReadOnlyList<Case> Cases(Volume<float> template, Func<int, BrainTransform> transform, int lesionSeed, string prefix)
    {
        var kinds = new[] { LesionKind.Bright, LesionKind.Dark, LesionKind.Texture };
        var cases = new List<Case>();
        var lesionIndex = 0;
        for (var c = 0; c < LesionCounts.Count; c++)
        {
            var image = TemplateBrain.Apply(template, transform(c));
            var brain = BrainMask.NonZero(image);
            var truth = image.Like<byte>();
            var lesions = new List<Lesion>();
            var leftOut = new List<(double, bool)>();
            for (var l = 0; l < LesionCounts[c]; l++, lesionIndex++)
            {
                var diameter = DiametersMm[lesionIndex % DiametersMm.Count];
                var kind = kinds[(lesionIndex / DiametersMm.Count + lesionIndex) % kinds.Length];
                var cortical = lesionIndex % 3 == 2;
                if (LesionInserter.TryInsert(image, brain, kind, diameter / 2, seed: lesionSeed + lesionIndex, cortical, truth) is not { } inserted)
                {
                    leftOut.Add((diameter, cortical));
                    continue;
                }
                var (withLesion, mask) = inserted;
                if (!mask.Data.AsSpan().ContainsAnyExcept((byte)0))
                    continue; // smaller than one voxel on a coarse grid: nothing to find
                image = withLesion;
                for (var v = 0; v < mask.Data.Length; v++)
                    truth.Data[v] |= mask.Data[v];
                lesions.Add(new Lesion(mask, kind, diameter, cortical));
            }
            cases.Add(new Case($"{prefix}-{c}", image, brain, truth, lesions, leftOut));
        }
        return cases;
    }
}
