namespace Zsad.Dicom.Segmentation;

/// <summary>One segment's content: its description and, per source frame (in the order of the
/// <see cref="SegmentationSource"/>), either a binary mask or a probability map of Rows x Columns pixels, row-major.</summary>
public sealed class Segment
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>>? _masks;
    private readonly IReadOnlyList<ReadOnlyMemory<float>>? _probabilities;

    private Segment(SegmentDescription description, IReadOnlyList<ReadOnlyMemory<byte>>? masks, IReadOnlyList<ReadOnlyMemory<float>>? probabilities)
    {
        Description = description ?? throw new ArgumentNullException(nameof(description));
        _masks = masks;
        _probabilities = probabilities;
    }

    public SegmentDescription Description { get; }

    public SegmentationType Type => _masks is not null ? SegmentationType.Binary : SegmentationType.Fractional;

    public int FrameCount => _masks?.Count ?? _probabilities!.Count;

    /// <summary>A binary segment: a pixel belongs to it when its mask byte is non-zero.</summary>
    public static Segment Binary(SegmentDescription description, IReadOnlyList<ReadOnlyMemory<byte>> masks)
        => new(description, masks ?? throw new ArgumentNullException(nameof(masks)), null);

    public static Segment Binary(SegmentDescription description, IReadOnlyList<bool[]> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        var bytes = new ReadOnlyMemory<byte>[masks.Count];
        for (var i = 0; i < masks.Count; i++)
        {
            var m = masks[i];
            var b = new byte[m.Length];
            for (var p = 0; p < m.Length; p++)
                b[p] = m[p] ? (byte)1 : (byte)0;
            bytes[i] = b;
        }
        return new(description, bytes, null);
    }

    /// <summary>A FRACTIONAL (PROBABILITY) segment: values in [0, 1], clamped, NaN taken as 0.</summary>
    public static Segment Fractional(SegmentDescription description, IReadOnlyList<ReadOnlyMemory<float>> probabilities)
        => new(description, null, probabilities ?? throw new ArgumentNullException(nameof(probabilities)));

    public static Segment Fractional(SegmentDescription description, IReadOnlyList<float[]> probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        return new(description, null, probabilities.Select(p => (ReadOnlyMemory<float>)p).ToArray());
    }

    /// <summary>Writes the stored values of one source frame (0/1 for BINARY, 0..max for FRACTIONAL) and says
    /// whether any is non-zero, so that empty frames can be left out.</summary>
    internal bool StoreFrame(int frame, Span<byte> destination, int maximumFractionalValue)
    {
        var any = false;
        if (_masks is not null)
        {
            var mask = _masks[frame].Span;
            CheckLength(frame, mask.Length, destination.Length);
            for (var i = 0; i < mask.Length; i++)
            {
                var v = mask[i] != 0 ? (byte)1 : (byte)0;
                destination[i] = v;
                any |= v != 0;
            }
            return any;
        }
        var p = _probabilities![frame].Span;
        CheckLength(frame, p.Length, destination.Length);
        for (var i = 0; i < p.Length; i++)
        {
            var x = p[i];
            var v = float.IsNaN(x) ? (byte)0 : (byte)Math.Round(Math.Clamp(x, 0f, 1f) * maximumFractionalValue, MidpointRounding.AwayFromZero);
            destination[i] = v;
            any |= v != 0;
        }
        return any;
    }

    private void CheckLength(int frame, int actual, int expected)
    {
        if (actual != expected)
            throw new ArgumentException($"segment '{Description.Label}': frame {frame} has {actual} pixels, the source frame has Rows x Columns = {expected}");
    }
}
