namespace Zsad.Imaging.Filters;

/// <summary>Otsu's threshold (the level that maximises the between-class variance of a histogram).</summary>
public static class Otsu
{
    /// <summary>The threshold over values in [low, high] (values outside are clamped into the end bins), so that a few
    /// hot voxels cannot squeeze the whole head into one bin.</summary>
    public static double Threshold(ReadOnlySpan<float> values, double low, double high, int bins = 256)
    {
        if (!(high > low))
            return low;
        var histogram = new long[bins];
        var scale = bins / (high - low);
        long total = 0;
        foreach (var v in values)
        {
            if (float.IsNaN(v))
                continue;
            histogram[Math.Clamp((int)((v - low) * scale), 0, bins - 1)]++;
            total++;
        }
        double sumAll = 0;
        for (var b = 0; b < bins; b++)
            sumAll += b * (double)histogram[b];
        double sumBelow = 0, bestVariance = -1;
        long below = 0;
        var bestBin = 0;
        for (var b = 0; b < bins - 1; b++)
        {
            below += histogram[b];
            sumBelow += b * (double)histogram[b];
            var above = total - below;
            if (below == 0 || above == 0)
                continue;
            var meanBelow = sumBelow / below;
            var meanAbove = (sumAll - sumBelow) / above;
            var variance = (double)below * above * (meanBelow - meanAbove) * (meanBelow - meanAbove);
            if (variance > bestVariance)
            {
                bestVariance = variance;
                bestBin = b;
            }
        }
        return low + (bestBin + 1) / scale; // the upper edge of the last bin of the lower class
    }

    /// <summary>The value below which a fraction q of the (non-NaN) values lie, from a fine histogram (no sort of the volume).</summary>
    public static double Quantile(ReadOnlySpan<float> values, double q, int bins = 4096)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        long n = 0;
        foreach (var v in values)
        {
            if (float.IsNaN(v))
                continue;
            if (v < min) min = v;
            if (v > max) max = v;
            n++;
        }
        if (n == 0)
            return double.NaN;
        if (!(max > min))
            return min;
        var histogram = new long[bins];
        var scale = bins / ((double)max - min);
        foreach (var v in values)
            if (!float.IsNaN(v))
                histogram[Math.Clamp((int)((v - min) * scale), 0, bins - 1)]++;
        var target = q * n;
        long seen = 0;
        for (var b = 0; b < bins; b++)
        {
            seen += histogram[b];
            if (seen >= target)
                return min + (b + 1) / scale;
        }
        return max;
    }
}
