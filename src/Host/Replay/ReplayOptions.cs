namespace Zsad.Host.Replay;

/// <summary>`zsad replay` settings.</summary>
/// <param name="Input">A BraTS-style folder of cases (&lt;id&gt;/&lt;id&gt;-t2w.nii.gz [+ -seg.nii.gz]), one case,
/// a DICOM series folder, or a NIfTI file.</param>
/// <param name="Output">Report folder: maps/, masks/, cases/, and the evaluation report when ground truth exists.</param>
/// <param name="Normals">Reference normals folder, "phantom", or null for the catalogue's default.</param>
public sealed record ReplayOptions(string Input, string Output, string Detector, string? Normals, string Threshold = "calibrated")
{
    /// <summary>Longest wait for one case, from its submission.</summary>
    public TimeSpan CaseTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Segment with a detector that is not calibrated on the site's normals (Zsad:Inference:AllowUncalibrated).</summary>
    public bool AllowUncalibrated { get; init; }
}
