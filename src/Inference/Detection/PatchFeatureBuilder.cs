using System.Numerics.Tensors;

namespace Zsad.Inference.Detection;

/// <summary>PatchCore-style patch descriptors from ResNet18 stages 2 (128 x 28 x 28, stride 8) and 3 (256 x 14 x 14,
/// stride 16): stage 3 (and stage 2 when asked) 3 x 3 average-pooled (local context), stage 3 bilinearly upsampled to 28 x 28 and folded
/// to 128 channels by averaging channel pairs; each half L2-normalised so neither stage dominates the distance.</summary>
public static class PatchFeatureBuilder
{
    private const int G2 = 28, C2 = 128, G3 = 14, C3 = 256, Half = 128;

    /// <param name="poolStage2">Average stage 2 over 3 x 3 cells (PatchCore's local context); off keeps each stride-8
    /// cell's own feature, so a lesion of one cell is not diluted ninefold.</param>
    public static float[] Build(ReadOnlySpan<float> stage2, ReadOnlySpan<float> stage3, bool poolStage2 = true)
    {
        if (stage2.Length != C2 * G2 * G2 || stage3.Length != C3 * G3 * G3)
            throw new ArgumentException("unexpected stage tensor sizes");
        var pooled2 = poolStage2 ? Pool3x3(stage2, C2, G2) : stage2.ToArray();
        var pooled3 = Pool3x3(stage3, C3, G3);
        var folded3 = new float[Half * G3 * G3];
        const int plane3 = G3 * G3;
        for (var c = 0; c < Half; c++)
        {
            var dst = folded3.AsSpan(c * plane3, plane3);
            TensorPrimitives.Add(pooled3.AsSpan(2 * c * plane3, plane3), pooled3.AsSpan((2 * c + 1) * plane3, plane3), dst);
            TensorPrimitives.Multiply(dst, 0.5f, dst);
        }
        var up3 = new float[Half * G2 * G2];
        for (var c = 0; c < Half; c++)
            Zsad.Imaging.Preprocessing.Resize2D.Resize(folded3.AsSpan(c * plane3, plane3), G3, G3, up3.AsSpan(c * G2 * G2, G2 * G2), G2, G2,
                Zsad.Imaging.Preprocessing.ResizeMode.Bilinear, alignCorners: false);

        // Channel-major [C, G, G] to patch-major [G*G, 256].
        var features = new float[G2 * G2 * SliceFeatures.Dim];
        for (var p = 0; p < G2 * G2; p++)
        {
            var f = features.AsSpan(p * SliceFeatures.Dim, SliceFeatures.Dim);
            for (var c = 0; c < Half; c++)
            {
                f[c] = pooled2[c * G2 * G2 + p];
                f[Half + c] = up3[c * G2 * G2 + p];
            }
            Normalize(f[..Half]);
            Normalize(f[Half..]);
        }
        return features;
    }

    /// <summary>The fine descriptors: ResNet18 stage 1 (64 x 56 x 56, stride 4) per cell, unpooled, L2-normalised,
    /// patch-major [56 * 56, 64]. Its receptive field is a quarter of stage 2's, so it outlines what the coarse
    /// descriptor only locates.</summary>
    public static float[] BuildFine(ReadOnlySpan<float> stage1)
    {
        const int g = SliceFeatures.FineGrid, c1 = SliceFeatures.FineDim, cells = g * g;
        if (stage1.Length != c1 * cells)
            throw new ArgumentException($"unexpected stage-1 tensor size {stage1.Length}, expected {c1 * cells}");
        var features = new float[cells * c1];
        for (var p = 0; p < cells; p++)
        {
            var f = features.AsSpan(p * c1, c1);
            for (var c = 0; c < c1; c++)
                f[c] = stage1[c * cells + p];
            Normalize(f);
        }
        return features;
    }

    private static void Normalize(Span<float> v)
    {
        var n = TensorPrimitives.Norm(v);
        if (n > 1e-12f)
            TensorPrimitives.Multiply(v, 1 / n, v);
    }

    // Mean over the valid part of each 3 x 3 neighbourhood (edges average fewer pixels rather than zeros).
    private static float[] Pool3x3(ReadOnlySpan<float> x, int channels, int g)
    {
        var result = new float[x.Length];
        for (var c = 0; c < channels; c++)
        {
            var plane = x.Slice(c * g * g, g * g);
            for (var y = 0; y < g; y++)
            {
                for (var xx = 0; xx < g; xx++)
                {
                    float s = 0;
                    var n = 0;
                    for (var dy = Math.Max(0, y - 1); dy <= Math.Min(g - 1, y + 1); dy++)
                        for (var dx = Math.Max(0, xx - 1); dx <= Math.Min(g - 1, xx + 1); dx++, n++)
                            s += plane[dy * g + dx];
                    result[c * g * g + y * g + xx] = s / n;
                }
            }
        }
        return result;
    }
}
