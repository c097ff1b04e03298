namespace Zsad.Reporter.Metrics;

/// <summary>Spearman's rank correlation as scipy.stats.spearmanr computes it: Pearson correlation of the ranks,
/// tied values sharing their average rank.</summary>
public static class Spearman
{
    /// <summary>NaN with fewer than two pairs or when either side is constant (scipy returns nan there too).
    /// Pairs where either value is NaN are dropped first (scipy's nan_policy='omit').</summary>
    public static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
            throw new ArgumentException($"{x.Count} x values but {y.Count} y values");
        var keep = Enumerable.Range(0, x.Count).Where(i => !double.IsNaN(x[i]) && !double.IsNaN(y[i])).ToArray();
        if (keep.Length < 2)
            return double.NaN;
        var rx = AverageRanks(keep.Select(i => x[i]).ToArray());
        var ry = AverageRanks(keep.Select(i => y[i]).ToArray());
        return Pearson(rx, ry);
    }

    /// <summary>1-based ranks; a run of equal values gets the mean of the ranks it spans (scipy.stats.rankdata 'average').</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
                end++;
            var rank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++)
                ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    private static double Pearson(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average();
        double sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }
}
