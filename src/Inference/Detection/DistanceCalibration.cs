namespace Zsad.Inference.Detection;

/// <summary>Maps a raw anomaly distance to [0, 1] using its distribution on held-out normal data: 0 at the
/// normal median, 0.5 at the normal 99.9th percentile, 1 at twice that excess. So 0.5 is a decision level with a
/// stated meaning (about 1 normal patch in 1000 exceeds it) rather than an arbitrary fraction of a raw scale.</summary>
public sealed record DistanceCalibration(double Median, double P999)
{
    public const double Quantile = 0.999;

    public float Apply(double distance)
    {
        var span = Math.Max(P999 - Median, 1e-12);
        return (float)Math.Clamp(0.5 * (distance - Median) / span, 0, 1);
    }

    public static DistanceCalibration FromSamples(List<float> normalDistances)
    {
        if (normalDistances.Count == 0)
            throw new InvalidOperationException("no held-out normal distances to calibrate on");
        var sorted = normalDistances.ToArray();
        Array.Sort(sorted);
        return new DistanceCalibration(At(sorted, 0.5), At(sorted, Quantile));
    }

    private static double At(float[] sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
