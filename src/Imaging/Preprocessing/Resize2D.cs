namespace Zsad.Imaging.Preprocessing;

/// <summary>2D resizing of row-major float images with the semantics of PyTorch's
/// <c>torch.nn.functional.interpolate(mode='bilinear'|'bicubic', align_corners=..., antialias=False)</c> for a
/// given output size, which is what the detectors' own code runs:
/// <list type="bullet">
/// <item>align_corners = false: pixels are unit squares; output pixel x samples the input at
/// (x + 0.5) * in/out - 0.5, so the image edges (not the edge pixel centres) line up. Bilinear clamps negative
/// sample positions to 0; bicubic does not, and reads beyond the border as the edge pixel.</item>
/// <item>align_corners = true: the centres of the corner pixels line up; output x samples the input at
/// x * (in - 1) / (out - 1) (0 when out is 1).</item>
/// </list>
/// No antialiasing: shrinking by a large factor skips input pixels, as PyTorch does.</summary>
public static class Resize2D
{
    private const double CubicA = -0.75;

    public static float[] Resize(ReadOnlySpan<float> source, int sourceWidth, int sourceHeight, int width, int height, ResizeMode mode, bool alignCorners)
    {
        var result = new float[checked(width * height)];
        Resize(source, sourceWidth, sourceHeight, result, width, height, mode, alignCorners);
        return result;
    }

    public static void Resize(ReadOnlySpan<float> source, int sourceWidth, int sourceHeight, Span<float> destination, int width, int height, ResizeMode mode, bool alignCorners)
    {
        if (sourceWidth < 1 || sourceHeight < 1 || width < 1 || height < 1)
            throw new ArgumentException($"cannot resize {sourceWidth}x{sourceHeight} to {width}x{height}");
        if (source.Length != sourceWidth * sourceHeight)
            throw new ArgumentException($"source holds {source.Length} pixels, not {sourceWidth}x{sourceHeight}", nameof(source));
        if (destination.Length != width * height)
            throw new ArgumentException($"destination holds {destination.Length} pixels, not {width}x{height}", nameof(destination));
        var xTaps = Taps(sourceWidth, width, mode, alignCorners);
        var yTaps = Taps(sourceHeight, height, mode, alignCorners);
        var n = mode == ResizeMode.Bicubic ? 4 : 2;

        // Separable: rows first into [sourceHeight, width], then columns; the same sums as the 2D kernel in another order.
        var rows = new float[sourceHeight * width];
        for (var y = 0; y < sourceHeight; y++)
        {
            var src = source.Slice(y * sourceWidth, sourceWidth);
            var dst = rows.AsSpan(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var t = x * n;
                var s = 0f;
                for (var q = 0; q < n; q++)
                    s += xTaps.Weights[t + q] * src[xTaps.Indices[t + q]];
                dst[x] = s;
            }
        }
        for (var y = 0; y < height; y++)
        {
            var dst = destination.Slice(y * width, width);
            dst.Clear();
            var t = y * n;
            for (var q = 0; q < n; q++)
            {
                var w = yTaps.Weights[t + q];
                if (w == 0)
                    continue;
                var src = rows.AsSpan(yTaps.Indices[t + q] * width, width);
                for (var x = 0; x < width; x++)
                    dst[x] += w * src[x];
            }
        }
    }

    private readonly record struct TapTable(int[] Indices, float[] Weights);

    /// <summary>Per output position, the input indices (clamped to the image) and weights of its taps.</summary>
    private static TapTable Taps(int inSize, int outSize, ResizeMode mode, bool alignCorners)
    {
        var n = mode == ResizeMode.Bicubic ? 4 : 2;
        var indices = new int[outSize * n];
        var weights = new float[outSize * n];
        var scale = alignCorners ? (outSize > 1 ? (inSize - 1) / (double)(outSize - 1) : 0) : inSize / (double)outSize;
        for (var o = 0; o < outSize; o++)
        {
            var real = alignCorners ? o * scale : (o + 0.5) * scale - 0.5;
            if (mode == ResizeMode.Bilinear)
            {
                if (real < 0)
                    real = 0;
                var i0 = (int)real;
                var i1 = i0 < inSize - 1 ? i0 + 1 : i0;
                var lambda = real - i0;
                indices[2 * o] = i0;
                indices[2 * o + 1] = i1;
                weights[2 * o] = (float)(1 - lambda);
                weights[2 * o + 1] = (float)lambda;
            }
            else
            {
                var i = (int)Math.Floor(real);
                var t = real - i;
                Span<double> w = [Cubic2(t + 1), Cubic1(t), Cubic1(1 - t), Cubic2(2 - t)];
                for (var q = 0; q < 4; q++)
                {
                    indices[4 * o + q] = Math.Clamp(i - 1 + q, 0, inSize - 1);
                    weights[4 * o + q] = (float)w[q];
                }
            }
        }
        return new TapTable(indices, weights);
    }

    // Keys' cubic convolution kernel on |x| <= 1 and 1 < |x| < 2.
    private static double Cubic1(double x) => ((CubicA + 2) * x - (CubicA + 3)) * x * x + 1;
    private static double Cubic2(double x) => ((CubicA * x - 5 * CubicA) * x + 8 * CubicA) * x - 4 * CubicA;
}
