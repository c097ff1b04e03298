namespace Zsad.Imaging.Synthetic;

/// <summary>An inserted lesion: centre in voxel indices and radius in millimetres (before its irregular edge).</summary>
public sealed record SyntheticLesion(Vec3 CenterVoxel, double RadiusMm);
