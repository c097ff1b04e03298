namespace Zsad.Dicom.Segmentation;

/// <summary>What a segmentation object holds, decoded: its segments, frames and the source instances it references.
/// Frames are found by ReferencedSOPInstanceUID, as OHIF does.</summary>
public sealed class SegmentationContent
{
    private readonly Dictionary<(int Segment, string Instance, int Frame), SegmentationFrame> _index = new();

    internal SegmentationContent(SegmentationType type, int rows, int columns, int maximumFractionalValue,
        IReadOnlyDictionary<int, SegmentDescription> segments, IReadOnlyList<SegmentationFrame> frames, IReadOnlyList<string> referencedInstances)
    {
        Type = type;
        Rows = rows;
        Columns = columns;
        MaximumFractionalValue = maximumFractionalValue;
        Segments = segments;
        Frames = frames;
        ReferencedInstances = referencedInstances;
        foreach (var f in frames)
            if (!_index.TryAdd((f.SegmentNumber, f.ReferencedSopInstanceUid, f.ReferencedFrameNumber ?? 0), f))
                throw new DicomFormatException($"segment {f.SegmentNumber} has two frames on source {f.ReferencedSopInstanceUid} frame {f.ReferencedFrameNumber ?? 1}", 0);
    }

    public SegmentationType Type { get; }
    public int Rows { get; }
    public int Columns { get; }
    public int MaximumFractionalValue { get; }

    /// <summary>Segment descriptions by SegmentNumber.</summary>
    public IReadOnlyDictionary<int, SegmentDescription> Segments { get; }

    public IReadOnlyList<SegmentationFrame> Frames { get; }

    /// <summary>Every SOPInstanceUID listed in ReferencedSeriesSequence.</summary>
    public IReadOnlyList<string> ReferencedInstances { get; }

    /// <summary>The stored values of a segment on a source frame; all zero when the SEG holds no frame there
    /// (an omitted empty frame).</summary>
    public byte[] GetFrame(int segmentNumber, string sopInstanceUid, int? frameNumber = null)
        => _index.TryGetValue((segmentNumber, sopInstanceUid, frameNumber ?? 0), out var f) ? f.Values : new byte[Rows * Columns];

    /// <summary>The segment's mask on a source frame: true where the stored value is non-zero.</summary>
    public bool[] GetMask(int segmentNumber, string sopInstanceUid, int? frameNumber = null)
        => Array.ConvertAll(GetFrame(segmentNumber, sopInstanceUid, frameNumber), v => v != 0);

    /// <summary>FRACTIONAL values as probabilities in [0, 1]; BINARY values as 0 or 1.</summary>
    public float[] GetProbabilities(int segmentNumber, string sopInstanceUid, int? frameNumber = null)
    {
        var scale = Type == SegmentationType.Fractional ? 1f / MaximumFractionalValue : 1f;
        return Array.ConvertAll(GetFrame(segmentNumber, sopInstanceUid, frameNumber), v => v * scale);
    }
}
