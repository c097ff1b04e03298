using Zsad.Imaging.Preprocessing;

namespace Zsad.Imaging.Synthetic;

/// <summary>The data of the synthetic detection study of docs/detectors.md, made from a real template brain. References and test volumes are the same template brain
/// under disjoint transforms: references are left-right flipped (two of three), rescaled, gamma-shifted and
/// deformed with seeds 11-13; test volumes use seeds 101+ (never flipped, other scales, gammas, bias fields and
/// noise). Every test volume gets one lesion of a known mask; two more test volumes stay lesion-free for the
/// image score.</summary>
public static class TemplateStudy
{
    public static IReadOnlyList<BrainTransform> ReferenceTransforms { get; } =
    [
        new(11, FlipLeftRight: true, Scale: 0.95, DeformMm: 4, Gamma: 0.85, BiasAmplitude: 0.06, NoiseFraction: 0.012),
        new(12, FlipLeftRight: false, Scale: 1.04, DeformMm: 4, Gamma: 1.15, BiasAmplitude: 0.06, NoiseFraction: 0.012),
        new(13, FlipLeftRight: true, Scale: 0.99, DeformMm: 4, Gamma: 1.0, BiasAmplitude: 0.06, NoiseFraction: 0.012),
    ];

    public static BrainTransform TestTransform(int index)
        => new(101 + index, FlipLeftRight: false, Scale: 0.97 + 0.015 * (index % 5), DeformMm: 4, Gamma: 0.9 + 0.05 * (index % 5),
            BiasAmplitude: 0.08, NoiseFraction: 0.015);

    public sealed record Case(string Name, Volume<float> Image, Volume<byte> Brain, Volume<byte> Lesion, LesionKind? Kind, double RadiusMm);

    public static IReadOnlyList<Volume<float>> References(Volume<float> template, int count = 3)
        => ReferenceTransforms.Take(count).Select(t => TemplateBrain.Apply(template, t)).ToList();

    /// <summary>More normals of the development generator for the development study's sweep over the number of site
    /// normals: the three references first, then seeds 14+ with the references' warp, bias and noise and other
    /// flips, scales and gammas.</summary>
    public static IReadOnlyList<Volume<float>> DevelopmentNormals(Volume<float> template, int count)
        => Enumerable.Range(0, count).Select(n => TemplateBrain.Apply(template, DevelopmentNormal(n))).ToList();

    /// <summary>Development normal n: the references first, then seeds 14 and up.</summary>
    public static BrainTransform DevelopmentNormal(int n) => n < ReferenceTransforms.Count ? ReferenceTransforms[n]
        : new BrainTransform(11 + n, FlipLeftRight: n % 2 == 0, Scale: 0.95 + 0.03 * (n % 4), DeformMm: 4, Gamma: 0.85 + 0.1 * (n % 4),
            BiasAmplitude: 0.06, NoiseFraction: 0.012);

    public static IReadOnlyList<Case> TestCases(Volume<float> template, int lesionCases, int normalCases, double minRadiusMm = 6, double maxRadiusMm = 12)
    {
        var cases = new List<Case>();
        var kinds = new[] { LesionKind.Bright, LesionKind.Dark, LesionKind.Texture };
        for (var c = 0; c < lesionCases + normalCases; c++)
        {
            var image = TemplateBrain.Apply(template, TestTransform(c));
            var brain = BrainMask.NonZero(image);
            if (c >= lesionCases)
            {
                cases.Add(new Case($"normal-{c}", image, brain, image.Like<byte>(), null, 0));
                continue;
            }
            var kind = kinds[c % kinds.Length];
            var radius = minRadiusMm + (maxRadiusMm - minRadiusMm) * ((c * 7) % 5) / 4.0;
            var (withLesion, lesion) = LesionInserter.Insert(image, brain, kind, radius, seed: 1000 + c);
            cases.Add(new Case($"{kind.ToString().ToLowerInvariant()}-{c}", withLesion, brain, lesion, kind, radius));
        }
        return cases;
    }
}
