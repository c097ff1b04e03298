namespace Zsad.Dicom.Codecs;

/// <summary>The Image Pixel module facts that fix the layout of native pixel data.</summary>
public sealed record PixelFormat(int Rows, int Columns, int SamplesPerPixel, int BitsAllocated, int PlanarConfiguration, int NumberOfFrames)
{
    /// <summary>Bytes of one native frame; 1-bit data (BINARY SEG) is packed across frames and has no whole-byte frame.</summary>
    public int FrameLength => checked(Rows * Columns * SamplesPerPixel * (BitsAllocated / 8));

    /// <summary>Byte offset of a sample of pixel p inside a native frame.</summary>
    public int SampleOffset(int pixel, int sample)
    {
        var bytes = BitsAllocated / 8;
        return PlanarConfiguration == 1
            ? (sample * Rows * Columns + pixel) * bytes
            : (pixel * SamplesPerPixel + sample) * bytes;
    }

    public static PixelFormat Of(DicomDataset ds)
    {
        int Required(DicomTag tag) => ds.GetInt(tag) ?? throw new DicomFormatException($"pixel data without {DicomDictionary.KeywordOf(tag)} {tag}");
        var format = new PixelFormat(
            Required(DicomTags.Rows),
            Required(DicomTags.Columns),
            ds.GetInt(DicomTags.SamplesPerPixel) ?? 1,
            Required(DicomTags.BitsAllocated),
            ds.GetInt(DicomTags.PlanarConfiguration) ?? 0,
            Math.Max(1, (int)(ds.GetDouble(DicomTags.NumberOfFrames) ?? 1)));
        if (format.Rows <= 0 || format.Columns <= 0 || format.SamplesPerPixel is < 1 or > 4
            || format.BitsAllocated is not (1 or 8 or 16 or 32 or 64))
            throw new DicomFormatException($"unsupported pixel format {format}");
        return format;
    }
}
