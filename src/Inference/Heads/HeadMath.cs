using System.Numerics.Tensors;
using Zsad.Imaging.Preprocessing;

namespace Zsad.Inference.Heads;

/// <summary>The span kernels the CLIP heads share. Token blocks are row-major [rows, dim]; two-class text logits
/// are kept as one difference plane (normal - abnormal) because softmax over [n, a] is 1 / (1 + exp(n - a)) and
/// bilinear upsampling is linear, so upsampling the difference is the authors' "upsample logits, then softmax"
/// with half the work.</summary>
internal static class HeadMath
{
    public static void L2NormalizeRows(Span<float> x, int dim)
    {
        for (var r = 0; r < x.Length / dim; r++)
        {
            var row = x.Slice(r * dim, dim);
            TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
        }
    }

    /// <summary>y[r, o] = x[r, :] . weight[o, :] + bias[o] (PyTorch Linear layout [out, in]).</summary>
    public static void Linear(ReadOnlySpan<float> x, int inDim, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int outDim, Span<float> y)
    {
        var rows = x.Length / inDim;
        for (var r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * inDim, inDim);
            var yr = y.Slice(r * outDim, outDim);
            for (var o = 0; o < outDim; o++)
                yr[o] = TensorPrimitives.Dot(xr, weight.Slice(o * inDim, inDim));
            if (!bias.IsEmpty)
                TensorPrimitives.Add(yr, bias, yr);
        }
    }

    /// <summary>Per row of unit features f: (f . t_normal - f . t_abnormal) / temperature.</summary>
    public static void LogitDifference(ReadOnlySpan<float> f, int dim, ReadOnlySpan<float> text, float temperature, Span<float> difference)
    {
        var normal = text[..dim];
        var abnormal = text.Slice(dim, dim);
        for (var r = 0; r < difference.Length; r++)
        {
            var fr = f.Slice(r * dim, dim);
            difference[r] = (TensorPrimitives.Dot(fr, normal) - TensorPrimitives.Dot(fr, abnormal)) / temperature;
        }
    }

    /// <summary>p_a = softmax([n, a])[a] = 1 / (1 + exp(n - a)) from the difference plane, in place.</summary>
    public static void AbnormalProbability(Span<float> differenceToProbability)
    {
        TensorPrimitives.Exp(differenceToProbability, differenceToProbability);
        TensorPrimitives.Add(differenceToProbability, 1f, differenceToProbability);
        TensorPrimitives.Reciprocal(differenceToProbability, differenceToProbability);
    }

    public static void Upsample(ReadOnlySpan<float> grid, int side, Span<float> map, int size, bool alignCorners)
        => Resize2D.Resize(grid, side, side, map, size, size, ResizeMode.Bilinear, alignCorners);

    /// <summary>3x3 mean with the edge replicated (F.pad mode 'replicate' then avg_pool2d 3, stride 1).</summary>
    public static void ReplicateMean3x3(ReadOnlySpan<float> grid, int side, Span<float> result)
    {
        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
            {
                var s = 0f;
                for (var dy = -1; dy <= 1; dy++)
                    for (var dx = -1; dx <= 1; dx++)
                        s += grid[Math.Clamp(y + dy, 0, side - 1) * side + Math.Clamp(x + dx, 0, side - 1)];
                result[y * side + x] = s / 9f;
            }
    }
}
