namespace Zsad.Contracts;

/// <summary>The blob behind <see cref="VolumeReady.SourceInstances"/>: the source of every slice in volume k order,
/// so a Segmentation can reference the images it was derived from (one item per slice, k = 0 first).</summary>
public sealed record SourceInstanceList(
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string? FrameOfReferenceUid,
    IReadOnlyList<SourceInstance> Slices);
