using Zsad.Contracts;

namespace Zsad.Listener.Volumes;

/// <summary>Everything about a volume that goes into its VolumeReady besides the blobs.</summary>
public sealed record VolumeDescription(
    string VolumeId,
    int Generation,
    VolumeOrigin Origin,
    string? CaseId = null,
    string? CalledAETitle = null,
    string? StudyInstanceUid = null,
    string? SeriesInstanceUid = null,
    string? FrameOfReferenceUid = null,
    string? Modality = null,
    string? SeriesDescription = null);
