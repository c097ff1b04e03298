using System.Buffers.Binary;

namespace Zsad.Dicom.Codecs;

/// <summary>RLE Lossless (PS3.5 Annex G): per frame a 64-byte header of up to 15 segment offsets, one
/// PackBits-coded segment per byte plane (most significant byte first, sample by sample).</summary>
public static class RleCodec
{
    private const int HeaderLength = 64;

    /// <summary>Encodes one native frame (little-endian samples) into an RLE fragment.</summary>
    public static byte[] EncodeFrame(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        var bytesPerSample = format.BitsAllocated / 8;
        var segmentCount = format.SamplesPerPixel * bytesPerSample;
        if (segmentCount > 15)
            throw new NotSupportedException($"RLE holds at most 15 segments; {format.SamplesPerPixel} samples of {format.BitsAllocated} bits need {segmentCount}");
        var pixels = format.Rows * format.Columns;
        var output = new List<byte>(frame.Length / 2 + HeaderLength);
        output.AddRange(new byte[HeaderLength]);
        var header = new uint[16];
        header[0] = (uint)segmentCount;
        var plane = new byte[pixels];
        for (var sample = 0; sample < format.SamplesPerPixel; sample++)
        {
            for (var b = bytesPerSample - 1; b >= 0; b--) // most significant byte first
            {
                for (var p = 0; p < pixels; p++)
                    plane[p] = frame[format.SampleOffset(p, sample) + b];
                header[1 + sample * bytesPerSample + (bytesPerSample - 1 - b)] = (uint)output.Count;
                for (var row = 0; row < format.Rows; row++) // rows are encoded separately (G.3.1)
                    PackBits(plane.AsSpan(row * format.Columns, format.Columns), output);
                if ((output.Count & 1) != 0)
                    output.Add(0);
            }
        }
        var result = output.ToArray();
        for (var i = 0; i < 16; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4 * i), header[i]);
        return result;
    }

    private static void PackBits(ReadOnlySpan<byte> row, List<byte> output)
    {
        var i = 0;
        while (i < row.Length)
        {
            var run = 1;
            while (i + run < row.Length && run < 128 && row[i + run] == row[i])
                run++;
            if (run >= 2)
            {
                output.Add((byte)(sbyte)(1 - run));
                output.Add(row[i]);
                i += run;
                continue;
            }
            var start = i;
            var literal = 0;
            while (i < row.Length && literal < 128 && !(i + 1 < row.Length && row[i + 1] == row[i]))
            {
                i++;
                literal++;
            }
            if (literal == 0)
            {
                i++;
                literal = 1;
            }
            output.Add((byte)(literal - 1));
            for (var k = start; k < start + literal; k++)
                output.Add(row[k]);
        }
    }

    /// <summary>Decodes one RLE fragment into a native frame (little-endian samples, layout per PlanarConfiguration).</summary>
    public static byte[] DecodeFrame(ReadOnlySpan<byte> fragment, PixelFormat format)
    {
        if (fragment.Length < HeaderLength)
            throw new DicomFormatException($"RLE fragment of {fragment.Length} bytes is shorter than its 64-byte header");
        var bytesPerSample = format.BitsAllocated / 8;
        var expected = format.SamplesPerPixel * bytesPerSample;
        var segments = BinaryPrimitives.ReadUInt32LittleEndian(fragment);
        if (segments != expected)
            throw new DicomFormatException($"RLE header has {segments} segments; {format.SamplesPerPixel} samples of {format.BitsAllocated} bits need {expected}");
        var pixels = format.Rows * format.Columns;
        // A PackBits run expands 2 bytes into at most 128, so a plane cannot exceed 64x its coded size.
        if ((long)pixels > 64L * fragment.Length + 128)
            throw new DicomFormatException($"RLE fragment of {fragment.Length} bytes cannot hold a {format.Rows}x{format.Columns} frame");
        var frame = new byte[format.FrameLength];
        var plane = new byte[pixels];
        for (var s = 0; s < expected; s++)
        {
            var start = BinaryPrimitives.ReadUInt32LittleEndian(fragment[(4 + 4 * s)..]);
            var end = s + 1 < expected ? BinaryPrimitives.ReadUInt32LittleEndian(fragment[(8 + 4 * s)..]) : (uint)fragment.Length;
            if (start < HeaderLength || start > end || end > fragment.Length)
                throw new DicomFormatException($"RLE segment {s + 1} offsets {start}..{end} lie outside the {fragment.Length}-byte fragment");
            UnpackBits(fragment[(int)start..(int)end], plane, s);
            var sample = s / bytesPerSample;
            var b = bytesPerSample - 1 - s % bytesPerSample;
            for (var p = 0; p < pixels; p++)
                frame[format.SampleOffset(p, sample) + b] = plane[p];
        }
        return frame;
    }

    private static void UnpackBits(ReadOnlySpan<byte> input, Span<byte> plane, int segment)
    {
        var i = 0;
        var o = 0;
        while (o < plane.Length && i < input.Length)
        {
            var n = (sbyte)input[i++];
            if (n >= 0)
            {
                var count = n + 1;
                if (i + count > input.Length || o + count > plane.Length)
                    throw new DicomFormatException($"RLE segment {segment + 1}: literal run of {count} overruns its data at segment byte {i - 1}");
                input.Slice(i, count).CopyTo(plane[o..]);
                i += count;
                o += count;
            }
            else if (n != -128)
            {
                var count = 1 - n;
                if (i >= input.Length || o + count > plane.Length)
                    throw new DicomFormatException($"RLE segment {segment + 1}: replicate run of {count} overruns its data at segment byte {i - 1}");
                plane.Slice(o, count).Fill(input[i++]);
                o += count;
            }
        }
        if (o < plane.Length)
            throw new DicomFormatException($"RLE segment {segment + 1} decodes to {o} bytes; the frame needs {plane.Length}");
    }
}
