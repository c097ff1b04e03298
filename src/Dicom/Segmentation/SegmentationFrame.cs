namespace Zsad.Dicom.Segmentation;

/// <summary>One decoded frame of a segmentation: the segment it belongs to, the source frame it lies on, and its
/// stored values (0/1 for BINARY, 0..MaximumFractionalValue for FRACTIONAL), Rows x Columns row-major.</summary>
public sealed record SegmentationFrame(int SegmentNumber, string ReferencedSopInstanceUid, int? ReferencedFrameNumber,
    double[]? ImagePositionPatient, byte[] Values);
