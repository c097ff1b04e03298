namespace Zsad.Training.Gradients;

/// <summary>Bilinear upsampling of a G x G grid to S x S with align_corners = true (VAND's F.interpolate) and its
/// adjoint, which carries the loss gradient on the S x S map back to the grid. Both use the same per-axis taps, so
/// the backward pass is exactly the transpose of the forward one.</summary>
public sealed class BilinearUpsampler
{
    private readonly int[] _lower;
    private readonly int[] _upper;
    private readonly float[] _weight;

    public BilinearUpsampler(int grid, int size)
    {
        if (grid < 1 || size < 1)
            throw new ArgumentException($"cannot upsample a {grid}x{grid} grid to {size}x{size}");
        Grid = grid;
        Size = size;
        _lower = new int[size];
        _upper = new int[size];
        _weight = new float[size];
        // PyTorch computes the source position in float as o * ((in - 1) / (out - 1)).
        var scale = size > 1 ? (float)(grid - 1) / (size - 1) : 0f;
        for (var o = 0; o < size; o++)
        {
            var source = o * scale;
            var lower = System.Math.Min((int)source, grid - 1);
            _lower[o] = lower;
            _upper[o] = System.Math.Min(lower + 1, grid - 1);
            _weight[o] = source - lower;
        }
    }

    public int Grid { get; }

    public int Size { get; }

    public void Forward(ReadOnlySpan<float> grid, Span<float> map)
    {
        for (var y = 0; y < Size; y++)
        {
            int y0 = _lower[y] * Grid, y1 = _upper[y] * Grid;
            var wy = _weight[y];
            var row = map.Slice(y * Size, Size);
            for (var x = 0; x < Size; x++)
            {
                int x0 = _lower[x], x1 = _upper[x];
                var wx = _weight[x];
                var top = (1 - wx) * grid[y0 + x0] + wx * grid[y0 + x1];
                var bottom = (1 - wx) * grid[y1 + x0] + wx * grid[y1 + x1];
                row[x] = (1 - wy) * top + wy * bottom;
            }
        }
    }

    /// <summary>gridGradient = U^T mapGradient (overwrites gridGradient).</summary>
    public void Adjoint(ReadOnlySpan<float> mapGradient, Span<float> gridGradient)
    {
        gridGradient.Clear();
        for (var y = 0; y < Size; y++)
        {
            int y0 = _lower[y] * Grid, y1 = _upper[y] * Grid;
            var wy = _weight[y];
            var row = mapGradient.Slice(y * Size, Size);
            for (var x = 0; x < Size; x++)
            {
                int x0 = _lower[x], x1 = _upper[x];
                var wx = _weight[x];
                var g = row[x];
                gridGradient[y0 + x0] += (1 - wy) * (1 - wx) * g;
                gridGradient[y0 + x1] += (1 - wy) * wx * g;
                gridGradient[y1 + x0] += wy * (1 - wx) * g;
                gridGradient[y1 + x1] += wy * wx * g;
            }
        }
    }
}
