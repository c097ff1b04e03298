namespace Zsad.Dicom.Segmentation;

/// <summary>One frame of a source image that a segmentation frame is derived from.</summary>
/// <param name="FrameNumber">1-based frame number inside a multi-frame instance; null for a single-frame image.</param>
public sealed record SourceFrame(
    string SopClassUid,
    string SopInstanceUid,
    string SeriesInstanceUid,
    int? FrameNumber,
    double[] ImagePositionPatient,
    double[] ImageOrientationPatient,
    double[] PixelSpacing,
    double? SliceThickness);
