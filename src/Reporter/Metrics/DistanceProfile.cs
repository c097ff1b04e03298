namespace Zsad.Reporter.Metrics;

/// <summary>One bin of the seed paper's Dice-by-position figure.</summary>
/// <param name="From">Lower edge (inclusive) of the normalised distance.</param>
/// <param name="To">Upper edge (exclusive, except 1 for the last bin).</param>
/// <param name="MeanDice">Mean 2D Dice of the lesion slices in the bin; NaN when it holds none.</param>
/// <param name="LesionSlices">How many slices with truth lesion voxels fell in the bin.</param>
public readonly record struct DistanceBin(double From, double To, double MeanDice, int LesionSlices);

/// <summary>Mean 2D Dice by normalised distance from the brain centre (-1 inferior .. 1 superior), over the slices
/// that contain lesion in the truth (a slice without lesion says nothing about how well lesions are found there).</summary>
public static class DistanceProfile
{
    public static DistanceBin[] Compute(IEnumerable<SliceDice> slices, int bins = 10)
    {
        if (bins < 1)
            throw new ArgumentOutOfRangeException(nameof(bins), bins, "at least one bin");
        var sums = new double[bins];
        var counts = new int[bins];
        foreach (var s in slices)
        {
            if (!s.HasLesion || s.NormalizedDistance < -1 || s.NormalizedDistance > 1)
                continue;
            var b = Math.Min(bins - 1, (int)Math.Floor((s.NormalizedDistance + 1) / 2 * bins));
            sums[b] += s.Dice;
            counts[b]++;
        }
        var result = new DistanceBin[bins];
        for (var b = 0; b < bins; b++)
            result[b] = new DistanceBin(-1 + 2.0 * b / bins, -1 + 2.0 * (b + 1) / bins, counts[b] == 0 ? double.NaN : sums[b] / counts[b], counts[b]);
        return result;
    }
}
