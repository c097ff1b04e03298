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

    /// <summary>Site normals and a held-out voxel calibration from two or more of them: the decision level means what
    /// it says.</summary>
    public bool Calibrated => SiteNormals && Voxel is not null && !FromOneNormal;

    /// <summary>A voxel calibration from a single normal scan scores slices of that scan against its other slices,
    /// never scans against other scans, so its stated rate does not hold on other scans: on the studies of
    /// docs/detectors.md one normal flagged 0.16-0.48 % of healthy voxels against the stated 0.01 %, above the 0.1 %
    /// a site can live with. It counts as uncalibrated.</summary>
    private bool FromOneNormal => Voxel is not null && Voxel.NormalImageStatistics.Count < MinimumNormals;

    /// <summary>How many normal volumes a calibration must be held out over to count (see <see cref="Calibrated"/>).</summary>
    public const int MinimumNormals = 2;

    public const string OneNormalProblem =
        "built from one normal scan: its false-positive rate is not held out between scans (on the synthetic studies it flagged 16-48 times the stated share of healthy voxels)";

    /// <summary>Why the map is not calibrated for this site (null when it is): one line for logs, /health, the SR
    /// and metrics.json.</summary>
    public string? Warning => Calibrated ? null
        : !SiteNormals ? $"UNCALIBRATED: the references are not this site's normal scans ({References}); the decision level has no known false-positive rate on real scans; {BuildMemoryHint}"
        : FromOneNormal ? $"UNCALIBRATED: the detector was {OneNormalProblem} ({References}); {BuildMemoryHint} (4 or more normals)"
        : $"UNCALIBRATED: the detector has no held-out calibration on the site's normals ({References}); {BuildMemoryHint}";

    /// <summary>"calibrated on site normals: 1e-4 false positives per healthy voxel" or the warning.</summary>
    public string Describe() => Calibrated
        ? string.Create(CultureInfo.InvariantCulture, $"calibrated on site normals: decision level 0.5 = {Voxel!.FalsePositiveRate:G3} false positives per healthy brain voxel (held out over {Voxel.NormalImageStatistics.Count} normal volumes{UnlikeNote}){FindingNote}")
        : Warning!;

    /// <summary>"; a finding is kept when heavier than ..." when the calibration has a finding-mass level.</summary>
    private string FindingNote => Voxel is { FindingMassLevel: { } level, FalseFindingsPerScan: { } perScan }
        ? string.Create(CultureInfo.InvariantCulture, $"; a finding is kept when its mass (height above the level times mm3) exceeds {level:G4}, which lets {perScan:G3} false findings per healthy scan through on the held-out normals")
        : "";

    /// <summary>"; normals #2, #5 unlike the others, left out of the level" when the calibration left any out.</summary>
    private string UnlikeNote => Voxel?.UnlikeNormals is { Count: > 0 } unlike
        ? $"; {(unlike.Count == 1 ? "normal" : "normals")} {string.Join(", ", unlike.Select(u => $"#{u.Index + 1}"))} unlike the others, left out of the level"
        : "";

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
