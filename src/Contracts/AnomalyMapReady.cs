namespace Zsad.Contracts;

/// <summary>A detector has turned a volume into an anomaly map. Carries the claim checks the Reporter needs (the map,
/// the source instances, the ground truth) so it never has to ask Inference anything. Its message id derives from
/// (volume, detector), so redeliveries and re-runs are recognisable as the same result.</summary>
/// <param name="Detector">Detector name (built-in name or bundle name): part of the SEG's deterministic UIDs.</param>
/// <param name="ReferenceSource">Where the detector's normal references came from (phantoms say so).</param>
/// <param name="Map">NIfTI (.nii.gz, float32, values in [0,1]) on the grid of <paramref name="Volume"/>.</param>
/// <param name="ExecutionProvider">"Cuda" or "Cpu": where the map was computed.</param>
/// <param name="VolumeCreatedAt">When the volume was published (VolumeReady.CreatedAt): end-to-end latency starts there.</param>
/// <param name="CalibrationWarning">Null when the detector's references and held-out calibration come from the
/// site's own normal scans; otherwise why its decision level cannot be trusted (the Reporter then sends no BINARY
/// SEG unless <paramref name="AllowUncalibrated"/>). A message without it counts as uncalibrated.</param>
/// <param name="Calibrated">The references and calibration come from the site's normals.</param>
/// <param name="FalsePositiveRate">The healthy-voxel false-positive rate at the map's 0.5, when calibrated.</param>
/// <param name="ImagePValue">The volume's p-value against the held-out normal volumes, when the detector has one.</param>
/// <param name="AllowUncalibrated">The inference configuration allows a BINARY SEG from an uncalibrated detector
/// (Zsad:Inference:AllowUncalibrated; the phantom demo sets it).</param>
public sealed record AnomalyMapReady(
    Guid CorrelationId,
    string VolumeId,
    int Generation,
    VolumeOrigin Origin,
    string? CaseId,
    string? CalledAETitle,
    string? StudyInstanceUid,
    string? SeriesInstanceUid,
    string Detector,
    string ReferenceSource,
    BlobReference Map,
    BlobReference Volume,
    BlobReference? SourceInstances,
    BlobReference? GroundTruth,
    IReadOnlyList<int> Shape,
    double ImageScore,
    string ExecutionProvider,
    double InferenceSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset VolumeCreatedAt,
    bool Calibrated = false,
    string? CalibrationWarning = null,
    double? FalsePositiveRate = null,
    double? ImagePValue = null,
    bool AllowUncalibrated = false)
{
    /// <summary>The message id of the map of <paramref name="volumeId"/> by <paramref name="detector"/>.</summary>
    public static Guid MessageIdFor(string volumeId, string detector) => VolumeIds.MessageIdFor($"map\n{volumeId}\n{detector}");
}
