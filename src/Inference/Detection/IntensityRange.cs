namespace Zsad.Inference.Detection;

/// <summary>The range of slice-standardised intensities that normal brain takes at each place (brain-height bin and
/// stride-4 cell of the crop square, each pooled over its 3 x 3 x 3 neighbourhood): a voxel brighter than every normal
/// voxel around its place, or darker, scores by how far outside it lies, in slice standard deviations. Unlike the
/// position-free <see cref="IntensityTail"/>, a dark lesion in white matter counts even though the ventricles are as
/// dark, and a bright one next to no CSF counts at a lower contrast. The same table of another per-voxel value, the
/// local roughness of the standardised slice (<see cref="LocalRoughness"/>), is the roughness range.</summary>
public sealed class IntensityRange
{
    public const int HeightBins = PositionStatistics.HeightBins;
    private const int G = SliceFeatures.FineGrid, Cells = G * G;

    /// <summary>[bin * cells + cell] lowest and highest normal value around the place; NaN where no normal brain lies.</summary>
    public float[] Lower { get; }
    public float[] Upper { get; }

    public IntensityRange(float[] lower, float[] upper)
    {
        if (lower.Length != HeightBins * Cells || upper.Length != lower.Length)
            throw new ArgumentException($"an intensity range needs {HeightBins} x {Cells} lower and upper values, not {lower.Length} and {upper.Length}");
        for (var i = 0; i < lower.Length; i++)
            if (float.IsNaN(lower[i]) != float.IsNaN(upper[i]) || lower[i] > upper[i] || float.IsInfinity(lower[i]) || float.IsInfinity(upper[i]))
                throw new ArgumentException($"intensity range place {i}: lower {lower[i]} and upper {upper[i]} must both be finite with lower <= upper, or both NaN");
        Lower = lower;
        Upper = upper;
    }

    /// <summary>Adds weight x (slice std outside the normal range at its place) for every brain pixel of a slice.</summary>
    public void AddTo(AxialSquareCrop crop, int slice, ReadOnlySpan<float> standardized, ReadOnlySpan<byte> brain, float weight, Span<float> raw)
    {
        var offset = SliceOffset(crop, slice);
        for (var p = 0; p < raw.Length; p++)
        {
            if (brain[p] == 0)
                continue;
            var place = offset + Cell(crop, p);
            var lo = Lower[place];
            if (float.IsNaN(lo))
                continue;
            var z = standardized[p];
            raw[p] += weight * Math.Max(0, Math.Max(z - Upper[place], lo - z));
        }
    }

    /// <summary>The first place of the slice's brain-height bin.</summary>
    private static int SliceOffset(AxialSquareCrop crop, int slice) => PositionStatistics.Bin(crop.NormalizedHeight(slice)) * Cells;

    /// <summary>The stride-4 cell of the crop square that slice pixel <paramref name="pixel"/> falls in.</summary>
    private static int Cell(AxialSquareCrop crop, int pixel)
    {
        int x = pixel % crop.Slices.Width, y = pixel / crop.Slices.Width;
        var gx = Math.Clamp((int)((x - crop.X0 + 0.5) * G / crop.Side), 0, G - 1);
        var gy = Math.Clamp((int)((y - crop.Y0 + 0.5) * G / crop.Side), 0, G - 1);
        return gy * G + gx;
    }

    /// <summary>Lowest and highest value per place of each normal volume, so the range can leave one volume out.</summary>
    public sealed class Accumulator
    {
        private readonly Dictionary<int, (float[] Min, float[] Max)> _volumes = new();

        public void Add(int volume, AxialSquareCrop crop, int slice, ReadOnlySpan<float> standardized, ReadOnlySpan<byte> brain)
        {
            if (!_volumes.TryGetValue(volume, out var v))
            {
                v = (new float[HeightBins * Cells], new float[HeightBins * Cells]);
                Array.Fill(v.Min, float.PositiveInfinity);
                Array.Fill(v.Max, float.NegativeInfinity);
                _volumes[volume] = v;
            }
            var offset = SliceOffset(crop, slice);
            for (var p = 0; p < brain.Length; p++)
            {
                if (brain[p] == 0)
                    continue;
                var place = offset + Cell(crop, p);
                v.Min[place] = Math.Min(v.Min[place], standardized[p]);
                v.Max[place] = Math.Max(v.Max[place], standardized[p]);
            }
        }

        /// <summary>The range of every volume but <paramref name="excludeVolume"/> (-1: all).</summary>
        public IntensityRange Build(int excludeVolume = -1)
        {
            var min = new float[HeightBins * Cells];
            var max = new float[HeightBins * Cells];
            Array.Fill(min, float.PositiveInfinity);
            Array.Fill(max, float.NegativeInfinity);
            foreach (var (volume, v) in _volumes)
            {
                if (volume == excludeVolume)
                    continue;
                for (var i = 0; i < min.Length; i++)
                {
                    min[i] = Math.Min(min[i], v.Min[i]);
                    max[i] = Math.Max(max[i], v.Max[i]);
                }
            }
            var lower = new float[min.Length];
            var upper = new float[min.Length];
            for (var b = 0; b < HeightBins; b++)
                for (var cell = 0; cell < Cells; cell++)
                {
                    float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                    for (var bb = Math.Max(0, b - 1); bb <= Math.Min(HeightBins - 1, b + 1); bb++)
                        for (var yy = Math.Max(0, cell / G - 1); yy <= Math.Min(G - 1, cell / G + 1); yy++)
                            for (var xx = Math.Max(0, cell % G - 1); xx <= Math.Min(G - 1, cell % G + 1); xx++)
                            {
                                lo = Math.Min(lo, min[bb * Cells + yy * G + xx]);
                                hi = Math.Max(hi, max[bb * Cells + yy * G + xx]);
                            }
                    var i = b * Cells + cell;
                    (lower[i], upper[i]) = lo <= hi ? (lo, hi) : (float.NaN, float.NaN);
                }
            return new IntensityRange(lower, upper);
        }
    }
}
