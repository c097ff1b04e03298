namespace Zsad.Imaging;

/// <summary>The plane of the 2D slices a detector sees.</summary>
public enum AnatomicalPlane
{
    /// <summary>Slices perpendicular to the inferior-superior axis.</summary>
    Axial,
    /// <summary>Slices perpendicular to the anterior-posterior axis.</summary>
    Coronal,
    /// <summary>Slices perpendicular to the left-right axis.</summary>
    Sagittal,
}
