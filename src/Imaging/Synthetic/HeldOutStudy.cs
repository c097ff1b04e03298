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

    public sealed record Case(string Name, Volume<float> Image, Volume<byte> Brain, Volume<byte> Truth, IReadOnlyList<Lesion> Lesions);

    public static BrainTransform Transform(int seed)
    {
        var rng = new Random(seed * 7919);
        return new BrainTransform(seed, FlipLeftRight: rng.NextDouble() < 0.5, Scale: 0.92 + 0.16 * rng.NextDouble(), DeformMm: 6,
            Gamma: 0.8 + 0.45 * rng.NextDouble(), BiasAmplitude: 0.12, NoiseFraction: 0.025);
    }

    /// <summary>The site's normal scans: seeds 700 + n.</summary>
    public static IReadOnlyList<Volume<float>> Normals(Volume<float> template, int count)
        => Enumerable.Range(0, count).Select(n => TemplateBrain.Apply(template, Transform(700 + n))).ToList();

    /// <summary>Test volumes: seeds 500 + n, lesions cycling through the diameters and kinds.</summary>
    public static IReadOnlyList<Case> Cases(Volume<float> template) => Cases(template, n => Transform(500 + n), lesionSeed: 5000, "heldout");

    /// <summary>The same lesion layout on the development generator (<see cref="TemplateStudy.TestTransform"/>, other
    /// lesion seeds): where small-lesion settings may be tried without touching the held-out study.</summary>
    public static IReadOnlyList<Case> DevelopmentCases(Volume<float> template) => Cases(template, TemplateStudy.TestTransform, lesionSeed: 9000, "development");

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
            for (var l = 0; l < LesionCounts[c]; l++, lesionIndex++)
            {
                var diameter = DiametersMm[lesionIndex % DiametersMm.Count];
                var kind = kinds[(lesionIndex / DiametersMm.Count + lesionIndex) % kinds.Length];
                var cortical = lesionIndex % 3 == 2;
                var (withLesion, mask) = LesionInserter.Insert(image, brain, kind, diameter / 2, seed: lesionSeed + lesionIndex, cortical, truth);
                if (!mask.Data.AsSpan().ContainsAnyExcept((byte)0))
                    continue; // smaller than one voxel on a coarse grid: nothing to find
                image = withLesion;
                for (var v = 0; v < mask.Data.Length; v++)
                    truth.Data[v] |= mask.Data[v];
                lesions.Add(new Lesion(mask, kind, diameter, cortical));
            }
            cases.Add(new Case($"{prefix}-{c}", image, brain, truth, lesions));
        }
        return cases;
    }
}
