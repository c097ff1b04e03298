using System.Numerics.Tensors;

namespace Zsad.Imaging.Preprocessing;

/// <summary>Per-slice standardisation as the seed paper prepares slices: each 2D slice separately to zero mean and
/// unit standard deviation (population, ddof 0, as numpy's std) over its brain voxels.</summary>
public static class SliceStandardization
{
    /// <summary>A standardised copy. Every voxel of a slice is transformed with that slice's brain statistics;
    /// with <paramref name="background"/> set, voxels outside the mask take that value instead. Slices without brain
    /// voxels become <paramref name="background"/> (or 0). A constant slice is only centred.</summary>
    public static Volume<float> Standardize(Volume<float> volume, Volume<byte>? mask, AnatomicalPlane plane = AnatomicalPlane.Axial, float? background = null)
    {
        if (mask is not null && !volume.HasSameGrid(mask))
            throw new ArgumentException("the mask is not on the volume's grid", nameof(mask));
        var result = volume.Clone();
        var slices = result.Slices(plane);
        var maskSlices = mask?.Slices(plane);
        var pixels = new float[slices.PixelCount];
        var maskPixels = new byte[slices.PixelCount];
        for (var s = 0; s < slices.Count; s++)
        {
            slices.CopySlice(s, pixels);
            if (maskSlices is null)
                maskPixels.AsSpan().Fill(1);
            else
                maskSlices.CopySlice(s, maskPixels);
            StandardizeSlice(pixels, maskPixels, background);
            slices.WriteSlice(s, pixels);
        }
        return result;
    }

    /// <summary>Brain pixels to [0, 1] by the slice's brain min/max, background to 0, in place: after standardisation,
    /// the range of the images the CLIP methods were trained on. Inference (ClipDetector) and training share it so
    /// that a trained adapter sees exactly the inputs it will be run on.</summary>
    public static void ToUnitRange(Span<float> pixels, ReadOnlySpan<byte> mask)
    {
        float lo = float.MaxValue, hi = float.MinValue;
        for (var p = 0; p < pixels.Length; p++)
            if (mask[p] != 0)
            {
                lo = Math.Min(lo, pixels[p]);
                hi = Math.Max(hi, pixels[p]);
            }
        var range = hi > lo ? hi - lo : 1;
        for (var p = 0; p < pixels.Length; p++)
            pixels[p] = mask[p] == 0 ? 0 : (pixels[p] - lo) / range;
    }

    /// <summary>Standardises one slice in place; <paramref name="mask"/> non-zero marks brain pixels.</summary>
    public static void StandardizeSlice(Span<float> slice, ReadOnlySpan<byte> mask, float? background = null)
    {
        if (mask.Length != slice.Length)
            throw new ArgumentException($"mask has {mask.Length} pixels, slice {slice.Length}", nameof(mask));
        var brain = new float[slice.Length];
        var n = 0;
        for (var p = 0; p < slice.Length; p++)
            if (mask[p] != 0)
                brain[n++] = slice[p];
        if (n == 0)
        {
            slice.Fill(background ?? 0);
            return;
        }
        var values = brain.AsSpan(0, n);
        // Two passes in double: a float running sum of a 240x240 slice loses the digits that the std needs.
        double sum = 0;
        foreach (var v in values)
            sum += v;
        var mean = sum / n;
        double squares = 0;
        foreach (var v in values)
            squares += (v - mean) * (v - mean);
        var std = Math.Sqrt(squares / n);
        var scale = std > 1e-6 * Math.Max(1, Math.Abs(mean)) ? 1 / std : 1;
        TensorPrimitives.Subtract(slice, (float)mean, slice);
        TensorPrimitives.Multiply(slice, (float)scale, slice);
        if (background is { } b)
            for (var p = 0; p < slice.Length; p++)
                if (mask[p] == 0)
                    slice[p] = b;
    }
}
