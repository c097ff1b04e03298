namespace Zsad.Inference.Detection;

/// <summary>How rough a slice's intensities are around each brain pixel: the root mean square, over the brain pixels
/// of its 3 x 3 neighbourhood, of each one's difference from the mean of its brain 4-neighbours (a high-pass residual
/// of the slice-standardised intensity). A mottled lesion has the mean intensity of its tissue, so neither the tail nor
/// the range of intensities sees it; its residuals are larger than normal tissue's at the same place.</summary>
public static class LocalRoughness
{
    public static void Compute(ReadOnlySpan<float> standardized, ReadOnlySpan<byte> brain, int width, Span<float> roughness)
    {
        var height = standardized.Length / width;
        var squared = new float[standardized.Length];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var p = y * width + x;
                if (brain[p] == 0)
                    continue;
                float sum = 0;
                var n = 0;
                if (x > 0 && brain[p - 1] != 0) { sum += standardized[p - 1]; n++; }
                if (x < width - 1 && brain[p + 1] != 0) { sum += standardized[p + 1]; n++; }
                if (y > 0 && brain[p - width] != 0) { sum += standardized[p - width]; n++; }
                if (y < height - 1 && brain[p + width] != 0) { sum += standardized[p + width]; n++; }
                var residual = n == 0 ? 0 : standardized[p] - sum / n;
                squared[p] = residual * residual;
            }
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var p = y * width + x;
                roughness[p] = 0;
                if (brain[p] == 0)
                    continue;
                float sum = 0;
                var n = 0;
                for (var yy = Math.Max(0, y - 1); yy <= Math.Min(height - 1, y + 1); yy++)
                    for (var xx = Math.Max(0, x - 1); xx <= Math.Min(width - 1, x + 1); xx++)
                        if (brain[yy * width + xx] != 0)
                        {
                            sum += squared[yy * width + xx];
                            n++;
                        }
                roughness[p] = MathF.Sqrt(sum / n);
            }
    }
}
