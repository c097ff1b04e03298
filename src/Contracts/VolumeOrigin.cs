namespace Zsad.Contracts;

/// <summary>How a volume entered Zsad; consumers treat all alike, reports say where a case came from.</summary>
public enum VolumeOrigin
{
    /// <summary>Received by C-STORE and assembled from its instances.</summary>
    DicomNetwork,
    /// <summary>Imported from a folder of DICOM files.</summary>
    DicomFolder,
    /// <summary>Imported from a NIfTI file.</summary>
    Nifti,
    /// <summary>Imported from a BraTS-style case folder (image plus optional ground-truth mask).</summary>
    BratsCase,
}
