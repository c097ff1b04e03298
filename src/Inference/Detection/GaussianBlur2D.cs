using System.Numerics.Tensors;

namespace Zsad.Inference.Detection;

/// <summary>Separable Gaussian smoothing of a row-major 2D map with scipy.ndimage.gaussian_filter's defaults
/// (radius round(4 sigma), mode 'reflect': the edge pixel repeated), which the CLIP methods' code uses.</summary>
public static class GaussianBlur2D
{
    public static void Apply(Span<float> image, int width, int height, double sigma)
    {
        if (sigma <= 0)
            return;
        var radius = (int)Math.Round(4 * sigma);
        var kernel = new float[2 * radius + 1];
        double sum = 0;
        for (var i = -radius; i <= radius; i++)
            sum += kernel[i + radius] = (float)Math.Exp(-0.5 * i * i / (sigma * sigma));
        TensorPrimitives.Divide(kernel, (float)sum, kernel);
        var line = new float[Math.Max(width, height) + 2 * radius];
        var output = new float[Math.Max(width, height)];
        for (var y = 0; y < height; y++)
        {
            var row = image.Slice(y * width, width);
            Pad(row, line, radius);
            Convolve(line, kernel, output.AsSpan(0, width));
            output.AsSpan(0, width).CopyTo(row);
        }
        var column = new float[height];
        for (var x = 0; x < width; x++)
        {
            for (var y = 0; y < height; y++)
                column[y] = image[y * width + x];
            Pad(column, line, radius);
            Convolve(line, kernel, output.AsSpan(0, height));
            for (var y = 0; y < height; y++)
                image[y * width + x] = output[y];
        }
    }

    // scipy 'reflect' is (d c b a | a b c d | d c b a): half-sample symmetric.
    private static void Pad(ReadOnlySpan<float> src, Span<float> line, int radius)
    {
        var n = src.Length;
        for (var i = -radius; i < n + radius; i++)
        {
            var j = i;
            while (j < 0 || j >= n)
                j = j < 0 ? -j - 1 : 2 * n - j - 1;
            line[i + radius] = src[j];
        }
    }

    private static void Convolve(ReadOnlySpan<float> line, ReadOnlySpan<float> kernel, Span<float> output)
    {
        for (var i = 0; i < output.Length; i++)
            output[i] = TensorPrimitives.Dot(line.Slice(i, kernel.Length), kernel);
    }
}
