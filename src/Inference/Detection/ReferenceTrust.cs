using System.Globalization;
using Zsad.Inference.Detection.Views;

namespace Zsad.Inference.Detection;

/// <summary>Whether a detector's references and calibration come from this site's own normal scans. Only then does
/// the map's 0.5 decision level carry a stated false-positive rate on the scans it will see; otherwise (phantoms,
/// the synthetic template subjects, a bundle without held-out calibration, a zero-shot CLIP head) a BINARY SEG of
/// it may flag healthy brain wholesale, and the service says so instead of sending one.</summary>
/// <param name="SiteNormals">The references are normal volumes the operator supplied (a --normals folder, or a
/// memory bundle built from one by `zsad models build-memory`).</param>
/// <param name="Voxel">The held-out voxel calibration, when the detector has one.</param>
/// <param name="References">Where the references came from, in words.</param>
public sealed record ReferenceTrust(bool SiteNormals, VoxelCalibration? Voxel, string References)
{
    public const string BuildMemoryHint = "build a calibrated memory from this site's lesion-free scans: zsad models build-memory --detector resnet18-memory --normals DIR --out BUNDLE, then --detector BUNDLE";

    /// <summary>Site normals and a held-out voxel calibration: the decision level means what it says.</summary>
    public bool Calibrated => SiteNormals && Voxel is not null;

    /// <summary>Why the map is not calibrated for this site (null when it is): one line for logs, /health, the SR
    /// and metrics.json.</summary>
    public string? Warning => Calibrated ? null
        : !SiteNormals ? $"UNCALIBRATED: the references are not this site's normal scans ({References}); the decision level has no known false-positive rate on real scans; {BuildMemoryHint}"
        : $"UNCALIBRATED: the detector has no held-out calibration on the site's normals ({References}); {BuildMemoryHint}";

    /// <summary>A calibrated detector built from a single normal scan: its calibration scores slices of that scan
    /// against its other slices, not scans against other scans, so the stated rate is optimistic (on the held-out study
    /// of docs/detectors.md one normal flagged 0.05-0.16 % of healthy voxels against the stated 0.01 %). Null otherwise.</summary>
    public string? Caveat => Calibrated && Voxel!.NormalImageStatistics.Count == 1 ? OneNormalCaveat : null;

    public const string OneNormalCaveat =
        "built from one normal scan: the false-positive rate is not held out between scans and may be exceeded several-fold; build from 4 or more";

    /// <summary>"calibrated on site normals: 1e-4 false positives per healthy voxel" (and the caveat) or the warning.</summary>
    public string Describe() => Calibrated
        ? string.Create(CultureInfo.InvariantCulture, $"calibrated on site normals: decision level 0.5 = {Voxel!.FalsePositiveRate:G3} false positives per healthy brain voxel (held out over {Voxel.NormalImageStatistics.Count} normal volumes)")
            + (Caveat is { } caveat ? "; " + caveat : "")
        : Warning!;

    /// <summary>The trust of a loaded detector: its voxel calibration (every view of a multi-view detector must have
    /// one) and whether its references came from the site.</summary>
    public static ReferenceTrust For(IAnomalyDetector detector, bool siteNormals, string references)
    {
        var voxel = detector switch
        {
            ResNetMemoryDetector r => r.Voxel,
            MultiViewDetector m => m.Detectors.All(d => d is ResNetMemoryDetector { Voxel: not null }) ? ((ResNetMemoryDetector)m.Inner).Voxel : null,
            _ => null,
        };
        return new ReferenceTrust(siteNormals, voxel, references);
    }
}
