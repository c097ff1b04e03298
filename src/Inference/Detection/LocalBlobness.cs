namespace Zsad.Inference.Detection;

/// <summary>How much a slice looks like a small round spot around each brain pixel, darker or brighter than its
/// surroundings: the smaller magnitude of the two principal curvatures of the slice-standardised intensity smoothed at
/// <see cref="ScaleMm"/>, where both bend the same way (a spot), else 0 (a line, an edge, a saddle), times the squared
/// scale in pixels (scale-normalised, so the value is in slice standard deviations at any pixel size). A sulcus, a
/// sheet, is a line in every cross-section, as is a vessel running within the slice: both score near 0; a lesion of a
/// few millimetres is a spot in every cross-section.
/// The smoothing is a normalised convolution over the brain, so the brain's edge does not make a spot of its own.</summary>
public static class LocalBlobness
{
    /// <summary>The smoothing scale in millimetres: a spot's curvature peaks at a scale of its radius over √2, so 1.5 mm
    /// suits lesions of 4-5 mm across, the smallest the detector is asked to find.</summary>
    public const double ScaleMm = 1.5;

    /// <param name="pixelMm">The slice's pixel size in millimetres, which sets the scale in pixels.</param>
    public static void Compute(ReadOnlySpan<float> standardized, ReadOnlySpan<byte> brain, int width, double pixelMm, Span<float> blobness)
    {
        var height = standardized.Length / width;
        var sigma = ScaleMm / pixelMm;
        var weighted = new float[standardized.Length];
        var support = new float[standardized.Length];
        for (var p = 0; p < weighted.Length; p++)
            if (brain[p] != 0)
            {
                weighted[p] = standardized[p];
                support[p] = 1;
            }
        GaussianBlur2D.Apply(weighted, width, height, sigma);
        GaussianBlur2D.Apply(support, width, height, sigma);
        var smooth = new float[weighted.Length];
        for (var p = 0; p < smooth.Length; p++)
            smooth[p] = support[p] > 1e-3f ? weighted[p] / support[p] : 0;
        var scale = (float)(sigma * sigma);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var p = y * width + x;
                blobness[p] = 0;
                if (brain[p] == 0 || x == 0 || y == 0 || x == width - 1 || y == height - 1)
                    continue;
                var dxx = smooth[p - 1] - 2 * smooth[p] + smooth[p + 1];
                var dyy = smooth[p - width] - 2 * smooth[p] + smooth[p + width];
                var dxy = (smooth[p + width + 1] - smooth[p + width - 1] - smooth[p - width + 1] + smooth[p - width - 1]) / 4;
                var determinant = dxx * dyy - dxy * dxy;
                if (determinant <= 0)
                    continue;
                var mean = (dxx + dyy) / 2;
                var spread = MathF.Sqrt((dxx - dyy) * (dxx - dyy) / 4 + dxy * dxy);
                blobness[p] = scale * (MathF.Abs(mean) - spread);
            }
    }
}
