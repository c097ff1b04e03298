namespace Zsad.Inference.Detection;

/// <summary>How far normal patches usually are from the memory, per place: the mean and standard deviation of the
/// held-out nearest-neighbour distances of normal brain patches, per brain-height bin and grid cell. A test patch's
/// distance becomes <c>(distance - mean) / std</c>, so a patch counts as unusual for its place: the brain's edge and
/// the ventricles, where normals differ most from each other, no longer hold the tail of every map, and the quiet
/// deep white matter, where a small lesion moves the descriptor a little, gets the weight it deserves.</summary>
/// <remarks>Each (bin, cell) pools its 3 x 3 x 3 neighbourhood (bins and cells), so a few normals give enough
/// samples; a place with fewer than <see cref="MinSamples"/> samples uses the statistics of all places, and a std
/// below a quarter of the global one is raised to it (a handful of alike samples must not blow up the ratio).</remarks>
public sealed class PositionStatistics
{
    public const int HeightBins = 25;
    public const int MinSamples = 30;
    private const int G = SliceFeatures.Grid, Cells = G * G;

    /// <summary>[bin * cells + cell] mean and std of the held-out distances there.</summary>
    public float[] Mean { get; }
    public float[] Std { get; }

    public PositionStatistics(float[] mean, float[] std)
    {
        if (mean.Length != HeightBins * Cells || std.Length != mean.Length)
            throw new ArgumentException($"position statistics need {HeightBins} x {Cells} means and stds, not {mean.Length} and {std.Length}");
        if (std.Any(s => !(s > 0) || !float.IsFinite(s)) || mean.Any(m => !float.IsFinite(m)))
            throw new ArgumentException("position statistics need finite means and positive stds");
        Mean = mean;
        Std = std;
    }

    public static int Bin(double height) => Math.Clamp((int)Math.Floor(height * HeightBins), 0, HeightBins - 1);

    /// <summary>Distances of one slice's grid, in place, to standard scores for their places.</summary>
    public void Normalize(float[] distances, double height)
    {
        var offset = Bin(height) * Cells;
        for (var p = 0; p < Cells; p++)
            distances[p] = (distances[p] - Mean[offset + p]) / Std[offset + p];
    }

    /// <summary>Sums of held-out distances per normal volume, so the statistics can leave one volume out.</summary>
    public sealed class Accumulator
    {
        private readonly Dictionary<int, double[]> _sums = new(); // volume -> [count, sum, sum of squares] x bins x cells

        public void Add(int volume, double height, ReadOnlySpan<float> distances, bool[] brain)
        {
            if (!_sums.TryGetValue(volume, out var sums))
                _sums[volume] = sums = new double[3 * HeightBins * Cells];
            var offset = Bin(height) * Cells;
            for (var p = 0; p < Cells; p++)
            {
                if (!brain[p])
                    continue;
                var i = 3 * (offset + p);
                double d = distances[p];
                sums[i]++;
                sums[i + 1] += d;
                sums[i + 2] += d * d;
            }
        }

        /// <summary>The statistics of every volume but <paramref name="excludeVolume"/> (-1: all).</summary>
        public PositionStatistics Build(int excludeVolume = -1)
        {
            var total = new double[3 * HeightBins * Cells];
            foreach (var (volume, sums) in _sums)
                if (volume != excludeVolume)
                    for (var i = 0; i < total.Length; i++)
                        total[i] += sums[i];
            if (SumOf(total, 0) < 2)
                throw new InvalidOperationException("no held-out normal patches to take position statistics from");
            var (globalMean, globalStd) = MeanStd(SumOf(total, 0), SumOf(total, 1), SumOf(total, 2));
            var floor = Math.Max(0.25 * globalStd, 1e-6);
            var mean = new float[HeightBins * Cells];
            var std = new float[HeightBins * Cells];
            for (var b = 0; b < HeightBins; b++)
                for (var cell = 0; cell < Cells; cell++)
                {
                    var (n, s, ss) = NeighbourhoodSums(total, b, cell / G, cell % G);
                    var (m, sd) = n >= MinSamples ? MeanStd(n, s, ss) : (globalMean, globalStd);
                    mean[b * Cells + cell] = (float)m;
                    std[b * Cells + cell] = (float)Math.Max(sd, floor);
                }
            return new PositionStatistics(mean, std);
        }

        /// <summary>Count, sum and sum of squares over the 3 x 3 x 3 (bin, row, column) neighbourhood of a place.</summary>
        private static (double N, double Sum, double SumOfSquares) NeighbourhoodSums(double[] total, int bin, int y, int x)
        {
            double n = 0, s = 0, ss = 0;
            for (var b = Math.Max(0, bin - 1); b <= Math.Min(HeightBins - 1, bin + 1); b++)
                for (var yy = Math.Max(0, y - 1); yy <= Math.Min(G - 1, y + 1); yy++)
                    for (var xx = Math.Max(0, x - 1); xx <= Math.Min(G - 1, x + 1); xx++)
                    {
                        var i = 3 * (b * Cells + yy * G + xx);
                        n += total[i];
                        s += total[i + 1];
                        ss += total[i + 2];
                    }
            return (n, s, ss);
        }

        private static double SumOf(double[] sums, int component)
        {
            double total = 0;
            for (var i = component; i < sums.Length; i += 3)
                total += sums[i];
            return total;
        }

        private static (double Mean, double Std) MeanStd(double n, double sum, double sumOfSquares)
        {
            var mean = sum / n;
            return (mean, Math.Sqrt(Math.Max(0, sumOfSquares / n - mean * mean)));
        }
    }
}
