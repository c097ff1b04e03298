namespace Zsad.Training.Data;

/// <summary>Extra training views of a slice, made before the frozen encoder runs (features are extracted once, so
/// augmentation is a fixed set of views, not a fresh draw per epoch): left-right flip with probability 0.5, rotation
/// uniform in ±10° about the centre (bilinear, zero outside), intensity jitter gamma uniform in [0.85, 1.15] on the
/// [0, 1] image. The target gets the same flip and rotation (bilinear, then &gt; 0.5). Seeded per (seed, slice, view).</summary>
public static class Augmentation
{
    public const double MaxRotationDegrees = 10;

    public static (float[] Image, float[] Target) View(ReadOnlySpan<float> image, ReadOnlySpan<float> target, int size, Random random)
    {
        var flip = random.NextDouble() < 0.5;
        var angle = (2 * random.NextDouble() - 1) * MaxRotationDegrees * Math.PI / 180;
        var gamma = 0.85 + 0.3 * random.NextDouble();
        var outImage = Warp(image, size, flip, angle);
        for (var p = 0; p < outImage.Length; p++)
            outImage[p] = (float)Math.Pow(Math.Clamp(outImage[p], 0, 1), gamma);
        var outTarget = Warp(target, size, flip, angle);
        for (var p = 0; p < outTarget.Length; p++)
            outTarget[p] = outTarget[p] > 0.5f ? 1 : 0;
        return (outImage, outTarget);
    }

    /// <summary>Output pixel (x, y) samples the source at the inverse rotation of its (flipped) position.</summary>
    internal static float[] Warp(ReadOnlySpan<float> source, int size, bool flip, double angle)
    {
        var result = new float[size * size];
        var c = (size - 1) / 2.0;
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var fx = (flip ? size - 1 - x : x) - c;
                var fy = y - c;
                var sx = cos * fx + sin * fy + c;
                var sy = -sin * fx + cos * fy + c;
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double wx = sx - x0, wy = sy - y0, v = 0;
                for (var dy = 0; dy <= 1; dy++)
                    for (var dx = 0; dx <= 1; dx++)
                    {
                        int xi = x0 + dx, yi = y0 + dy;
                        if (xi < 0 || yi < 0 || xi >= size || yi >= size)
                            continue;
                        v += (dx == 0 ? 1 - wx : wx) * (dy == 0 ? 1 - wy : wy) * source[yi * size + xi];
                    }
                result[y * size + x] = (float)v;
            }
        return result;
    }
}
