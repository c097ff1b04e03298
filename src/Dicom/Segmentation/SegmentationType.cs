namespace Zsad.Dicom.Segmentation;

/// <summary>SegmentationType (0062,0001). FRACTIONAL is always written as PROBABILITY: an anomaly map is a score, not an occupancy.</summary>
public enum SegmentationType
{
    Binary,
    Fractional,
}
