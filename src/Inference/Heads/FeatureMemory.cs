using System.Numerics.Tensors;

namespace Zsad.Inference.Heads;

/// <summary>A few-shot memory of normal features, L2-normalised once at load so that each query is dot products
/// only: the nearest-neighbour cosine search of VAND, MVFA and WinCLIP (brute force, as the authors' code).</summary>
internal sealed class FeatureMemory
{
    private readonly float[] _unitRows;
    private float[] _unitQueries = [];

    public FeatureMemory(ReadOnlySpan<float> rows, int dim)
    {
        Dim = dim;
        _unitRows = rows.ToArray();
        HeadMath.L2NormalizeRows(_unitRows, dim);
    }

    public int Dim { get; }

    public int Count => _unitRows.Length / Dim;

    /// <summary>Splits a bank [M, sum of dims] (the layers' features of one patch concatenated per row) into one
    /// memory per layer.</summary>
    public static FeatureMemory[] PerLayer(float[] bank, IReadOnlyList<int> dims)
    {
        var total = dims.Sum();
        var rows = bank.Length / total;
        var result = new FeatureMemory[dims.Count];
        var block = new float[rows * dims.Max()];
        var offset = 0;
        for (var l = 0; l < dims.Count; l++)
        {
            var dim = dims[l];
            for (var r = 0; r < rows; r++)
                bank.AsSpan(r * total + offset, dim).CopyTo(block.AsSpan(r * dim, dim));
            result[l] = new FeatureMemory(block.AsSpan(0, rows * dim), dim);
            offset += dim;
        }
        return result;
    }

    /// <summary>Per query row: 1 - max over the memory of cos(query, row), at least 0.</summary>
    public void MinCosineDistance(ReadOnlySpan<float> queries, Span<float> distances)
    {
        if (_unitQueries.Length < queries.Length)
            _unitQueries = new float[queries.Length];
        var unit = _unitQueries.AsSpan(0, queries.Length);
        queries.CopyTo(unit);
        HeadMath.L2NormalizeRows(unit, Dim);
        var memory = _unitRows.AsSpan();
        for (var q = 0; q < distances.Length; q++)
        {
            var query = unit.Slice(q * Dim, Dim);
            var best = float.MinValue;
            for (var r = 0; r < Count; r++)
                best = Math.Max(best, TensorPrimitives.Dot(query, memory.Slice(r * Dim, Dim)));
            // 1 - cos is never negative, but rounding makes an exact match's come out as -1e-7 now and then; WinCLIP's
            // harmonic mean of 1/distance would turn that into NaN (inf - inf), so clamp at 0.
            distances[q] = Math.Max(0, 1 - best);
        }
    }
}
