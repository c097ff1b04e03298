namespace Zsad.Inference.Heads;

/// <summary>AnoVL's 22 test-time views of one encoder input (hq-deng/AnoVL utils.py aug(), applied there to the
/// already normalised tensor, as here): the original; 8 small rotations and 8 translations sampled like PyTorch's
/// affine_grid + grid_sample (bilinear, reflection padding, align_corners True); a horizontal flip; the grey view
/// 0.299 R + 0.587 G + 0.114 B in all three channels; rotations by 90, 180 and 270 degrees (kornia's rotate on a
/// square image lands exactly on the pixel grid, so they are exact index permutations here). The authors shuffle
/// the views afterwards, which changes nothing for their mean.</summary>
public static class AugmentedViews
{
    public const int Count = 22;

    private static readonly double[] SmallAngles = [-Math.PI / 4, -3 * Math.PI / 16, -Math.PI / 8, -Math.PI / 16, Math.PI / 16, Math.PI / 8, 3 * Math.PI / 16, Math.PI / 4];

    private static readonly (float X, float Y)[] Shifts = [(0.2f, 0.2f), (-0.2f, 0.2f), (-0.2f, -0.2f), (0.2f, -0.2f), (0.1f, 0.1f), (-0.1f, 0.1f), (-0.1f, -0.1f), (0.1f, -0.1f)];

    /// <summary>Writes the views of <paramref name="image"/> ([3, S, S], channel-major) into
    /// <paramref name="views"/> ([22, 3, S, S]) in AnoVL's order; view 0 is the original.</summary>
    public static void Write(ReadOnlySpan<float> image, int size, Span<float> views)
    {
        var plane = size * size;
        var item = 3 * plane;
        if (size < 1 || image.Length != item)
            throw new ArgumentException($"an augmented image must be [3, {size}, {size}] ({item} values), not {image.Length} values", nameof(image));
        if (views.Length < Count * item)
            throw new ArgumentException($"the views buffer holds {views.Length} values, {Count} views of [3, {size}, {size}] need {Count * item}", nameof(views));
        var v = 0;
        image.CopyTo(views.Slice(v++ * item, item));
        foreach (var angle in SmallAngles)
        {
            // torch.tensor(angle) is float32, so are its cos and sin.
            float cos = MathF.Cos((float)angle), sin = MathF.Sin((float)angle);
            Affine(image, size, cos, -sin, 0, sin, cos, 0, views.Slice(v++ * item, item));
        }
        foreach (var (x, y) in Shifts)
            Affine(image, size, 1, 0, x, 0, 1, y, views.Slice(v++ * item, item));
        var flipped = views.Slice(v++ * item, item);
        for (var c = 0; c < 3; c++)
            for (var r = 0; r < size; r++)
                for (var col = 0; col < size; col++)
                    flipped[c * plane + r * size + col] = image[c * plane + r * size + size - 1 - col];
        var grey = views.Slice(v++ * item, item);
        for (var p = 0; p < plane; p++)
            grey[p] = 0.299f * image[p] + 0.587f * image[plane + p] + 0.114f * image[2 * plane + p];
        grey[..plane].CopyTo(grey[plane..]);
        grey[..plane].CopyTo(grey[(2 * plane)..]);
        for (var k = 1; k <= 3; k++)
            Rotate90(image, size, k, views.Slice(v++ * item, item));
    }

    /// <summary>Counter-clockwise rotation by k x 90 degrees as displayed (row 0 on top): torch.rot90(x, k, (2, 3)),
    /// which is kornia's rotate by +90 k degrees about the centre of a square image.</summary>
    public static void Rotate90(ReadOnlySpan<float> image, int size, int k, Span<float> output)
    {
        var plane = size * size;
        for (var c = 0; c < 3; c++)
        {
            var src = image.Slice(c * plane, plane);
            var dst = output.Slice(c * plane, plane);
            for (var i = 0; i < size; i++)
                for (var j = 0; j < size; j++)
                    dst[i * size + j] = k switch
                    {
                        1 => src[j * size + size - 1 - i],
                        2 => src[(size - 1 - i) * size + size - 1 - j],
                        3 => src[(size - 1 - j) * size + i],
                        _ => throw new ArgumentOutOfRangeException(nameof(k), $"k must be 1, 2 or 3, not {k}"),
                    };
        }
    }

    /// <summary>affine_grid(theta, align_corners=True) followed by grid_sample(bilinear, reflection,
    /// align_corners=True) on each of the 3 channels: output pixel (i, j) at normalised (x, y) = (-1 + 2j/(S-1),
    /// -1 + 2i/(S-1)) samples the input at theta (x, y, 1).</summary>
    public static void Affine(ReadOnlySpan<float> image, int size, float a, float b, float c, float d, float e, float f, Span<float> output)
    {
        var plane = size * size;
        for (var i = 0; i < size; i++)
        {
            var y = Normalised(i, size);
            for (var j = 0; j < size; j++)
            {
                var x = Normalised(j, size);
                var sx = ReflectedPixel(a * x + b * y + c, size);
                var sy = ReflectedPixel(d * x + e * y + f, size);
                for (var ch = 0; ch < 3; ch++)
                    output[ch * plane + i * size + j] = Bilinear(image.Slice(ch * plane, plane), size, sx, sy);
            }
        }
    }

    /// <summary>affine_grid's base coordinate: torch.linspace(-1, 1, size)[index] as it rounds in float (from the
    /// start up to the middle, from the end after it); 0 for a single pixel, as affine_grid special-cases it.</summary>
    private static float Normalised(int index, int size)
    {
        if (size == 1)
            return 0;
        var step = 2f / (size - 1);
        return index < size / 2 ? -1 + step * index : 1 - step * (size - 1 - index);
    }

    /// <summary>grid_sample's align_corners=True unnormalisation, then its reflection about the border pixel centres
    /// 0 and S-1 (reflect_coordinates with twice_low 0, twice_high 2(S-1)), clipped into [0, S-1].</summary>
    public static float ReflectedPixel(float normalised, int size)
    {
        if (size == 1)
            return 0;
        var pixel = (normalised + 1) * ((size - 1) / 2f);
        var span = (float)(size - 1);
        var distance = MathF.Abs(pixel);
        var extra = distance % span;
        var flips = MathF.Floor(distance / span);
        var reflected = flips % 2 == 0 ? extra : span - extra;
        return Math.Clamp(reflected, 0, span);
    }

    /// <summary>Bilinear interpolation at pixel (x, y); corners outside the image weigh nothing, as in grid_sample.</summary>
    private static float Bilinear(ReadOnlySpan<float> plane, int size, float x, float y)
    {
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float wx = x - x0, wy = y - y0;
        var sum = 0f;
        Add(ref sum, plane, size, x0, y0, (1 - wx) * (1 - wy));
        Add(ref sum, plane, size, x0 + 1, y0, wx * (1 - wy));
        Add(ref sum, plane, size, x0, y0 + 1, (1 - wx) * wy);
        Add(ref sum, plane, size, x0 + 1, y0 + 1, wx * wy);
        return sum;
    }

    private static void Add(ref float sum, ReadOnlySpan<float> plane, int size, int x, int y, float weight)
    {
        if (x >= 0 && x < size && y >= 0 && y < size)
            sum += plane[y * size + x] * weight;
    }
}
