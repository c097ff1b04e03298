namespace Zsad.Dicom.Codecs;

/// <summary>Frame access over a dataset's pixel data: native frames are slices of the stored bytes (no copy);
/// RLE frames are decoded on request; other encapsulated syntaxes are refused by name.</summary>
public sealed class DicomPixelData
{
    private readonly DicomItem _item;

    public DicomPixelData(DicomDataset dataset, TransferSyntax syntax)
    {
        _item = dataset[DicomTags.PixelData] ?? throw new DicomFormatException("the dataset has no Pixel Data (7FE0,0010)");
        Format = PixelFormat.Of(dataset);
        Syntax = syntax;
        if (_item is DicomElement e && Format.BitsAllocated > 1 && (long)Format.FrameLength * Format.NumberOfFrames > e.Length)
            throw new DicomFormatException($"Pixel Data holds {e.Length} bytes; {Format.NumberOfFrames} frames of {Format.FrameLength} bytes need more");
    }

    public PixelFormat Format { get; }
    public TransferSyntax Syntax { get; }
    public int NumberOfFrames => Format.NumberOfFrames;

    public ReadOnlyMemory<byte> GetFrame(int index)
    {
        if (index < 0 || index >= Format.NumberOfFrames)
            throw new ArgumentOutOfRangeException(nameof(index), $"frame {index} of {Format.NumberOfFrames}");
        switch (_item)
        {
            case DicomElement e:
                // PS3.5 A.4: an encapsulated syntax always encapsulates; native bytes under it are mislabelled and
                // would otherwise be returned as if they were the decoded frames.
                if (Syntax.IsEncapsulated)
                    throw new DicomFormatException($"Pixel Data is native (defined length) but {Syntax.Name} requires encapsulated fragments");
                if (Format.BitsAllocated == 1)
                    throw new NotSupportedException("1-bit pixel data is packed across frames; read the whole value");
                return e.Buffer.Slice(index * Format.FrameLength, Format.FrameLength);
            case DicomFragments f when Syntax == TransferSyntax.RLELossless:
                if (f.Fragments.Count != Format.NumberOfFrames)
                    throw new DicomFormatException($"RLE pixel data has {f.Fragments.Count} fragments for {Format.NumberOfFrames} frames (one per frame is required)");
                return RleCodec.DecodeFrame(f.Fragments[index].Span, Format);
            case DicomFragments:
                throw new NotSupportedException($"pixel data in {Syntax.Name} cannot be decoded by Zsad (no codec); convert it with dcmtk first");
            default:
                throw new DicomFormatException("Pixel Data is neither native nor encapsulated");
        }
    }
}

/// <summary>Re-encodes pixel data when a file moves between transfer syntaxes.</summary>
public static class PixelDataTranscoder
{
    public static DicomDataset Transcode(DicomDataset dataset, TransferSyntax from, TransferSyntax to)
    {
        var pixels = dataset[DicomTags.PixelData];
        if (pixels is DicomFragments && !from.IsEncapsulated)
            throw new InvalidOperationException($"encapsulated pixel data cannot be labelled {from.Name}, a native transfer syntax");
        if (pixels is null || (from.IsEncapsulated == to.IsEncapsulated && !from.IsEncapsulated) || from == to)
        {
            if (to.IsEncapsulated && !to.CanDecodePixels && pixels is not null)
                throw new NotSupportedException($"cannot encode pixel data in {to.Name}: Zsad has no such encoder");
            return dataset;
        }
        if (!from.CanDecodePixels)
            throw new NotSupportedException($"cannot convert pixel data from {from.Name}: Zsad has no decoder for it");
        if (to.IsEncapsulated && to != TransferSyntax.RLELossless)
            throw new NotSupportedException($"cannot encode pixel data in {to.Name}: Zsad has no such encoder");

        var source = new DicomPixelData(dataset, from);
        var copy = dataset.Clone();
        copy.ValidateOnSet = false;
        if (to == TransferSyntax.RLELossless)
        {
            if (source.Format.BitsAllocated == 1)
                throw new NotSupportedException("RLE cannot hold 1-bit pixel data frame by frame; keep BINARY SEG uncompressed");
            var fragments = new List<ReadOnlyMemory<byte>>(source.NumberOfFrames);
            for (var i = 0; i < source.NumberOfFrames; i++)
                fragments.Add(RleCodec.EncodeFrame(source.GetFrame(i).Span, source.Format));
            copy.Set(new DicomFragments(DicomTags.PixelData, ReadOnlyMemory<byte>.Empty, fragments));
        }
        else
        {
            var native = new byte[(long)source.Format.FrameLength * source.NumberOfFrames + (source.Format.FrameLength * source.NumberOfFrames & 1)];
            for (var i = 0; i < source.NumberOfFrames; i++)
                source.GetFrame(i).Span.CopyTo(native.AsSpan(i * source.Format.FrameLength));
            copy.Set(new DicomElement(DicomTags.PixelData, source.Format.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, native));
        }
        copy.ValidateOnSet = dataset.ValidateOnSet;
        return copy;
    }
}
