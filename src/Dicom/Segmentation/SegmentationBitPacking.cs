namespace Zsad.Dicom.Segmentation;

/// <summary>BINARY segmentation pixel data (PS3.5 8.1.1 with BitsAllocated 1): pixels row-major, the first pixel in
/// bit 0 of byte 0, frames concatenated with no padding between them, the whole value padded to an even length.</summary>
public static class SegmentationBitPacking
{
    /// <summary>The byte length of <paramref name="frames"/> packed frames, padding included.</summary>
    public static long PackedLength(int frames, int pixelsPerFrame)
    {
        var bytes = ((long)frames * pixelsPerFrame + 7) / 8;
        return bytes + (bytes & 1);
    }

    /// <summary>Sets the bit of every non-zero value, starting at bit <paramref name="bitOffset"/> of <paramref name="packed"/>.</summary>
    public static void Pack(ReadOnlySpan<byte> values, Span<byte> packed, long bitOffset)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] == 0)
                continue;
            var bit = bitOffset + i;
            packed[(int)(bit >> 3)] |= (byte)(1 << (int)(bit & 7));
        }
    }

    /// <summary>Writes 0/1 for each pixel of <paramref name="values"/>, read from bit <paramref name="bitOffset"/> on.</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, long bitOffset, Span<byte> values)
    {
        if ((bitOffset + values.Length + 7) / 8 > packed.Length)
            throw new ArgumentException($"packed pixel data holds {packed.Length} bytes: too few for {values.Length} pixels from bit {bitOffset}");
        for (var i = 0; i < values.Length; i++)
        {
            var bit = bitOffset + i;
            values[i] = (byte)((packed[(int)(bit >> 3)] >> (int)(bit & 7)) & 1);
        }
    }
}
