namespace Zsad.Imaging.Synthetic;

/// <summary>One synthetic subject: a skull-stripped t2w-like image, its whole-lesion mask (1 inside), and the
/// lesions that were inserted. Ground truth is exact because the lesions were drawn, not annotated.</summary>
public sealed record SyntheticStudy(string Id, Volume<short> Image, Volume<byte> LesionMask, IReadOnlyList<SyntheticLesion> Lesions);
