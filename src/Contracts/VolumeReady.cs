namespace Zsad.Contracts;

/// <summary>A volume is ready for detection. Sent once per volume (per generation of a series); <see cref="VolumeId"/>
/// is derived from the source, so a consumer that sees it twice can tell it is the same work.</summary>
/// <param name="VolumeId">Deterministic id of this volume (see <see cref="VolumeIds"/>).</param>
/// <param name="Generation">1 for the first volume of a series; higher when late instances made the Listener build
/// it again with all instances so far.</param>
/// <param name="CaseId">Human-meaningful case name for imports (BraTS id, file name); null for network intake.</param>
/// <param name="Volume">NIfTI (.nii.gz) of the volume in LPS-consistent NIfTI (RAS) convention.</param>
/// <param name="SourceInstances">JSON <see cref="SourceInstanceList"/>; null when the volume did not come from DICOM.</param>
/// <param name="GroundTruth">NIfTI mask on the same grid, when the import had one.</param>
/// <param name="Shape">Voxels along i, j, k.</param>
public sealed record VolumeReady(
    Guid CorrelationId,
    string VolumeId,
    int Generation,
    VolumeOrigin Origin,
    string? CaseId,
    string? CalledAETitle,
    string? StudyInstanceUid,
    string? SeriesInstanceUid,
    string? FrameOfReferenceUid,
    string? Modality,
    string? SeriesDescription,
    BlobReference Volume,
    BlobReference? SourceInstances,
    BlobReference? GroundTruth,
    IReadOnlyList<int> Shape,
    DateTimeOffset CreatedAt);
