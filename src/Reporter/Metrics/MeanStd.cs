namespace Zsad.Reporter.Metrics;

/// <summary>Mean ± standard deviation over subjects, as numpy.mean / numpy.std (population, ddof = 0) give them.
/// NaN values (undefined ratios) are left out; <see cref="Count"/> says how many values remained.</summary>
public readonly record struct MeanStd(double Mean, double Std, int Count)
{
    /// <summary>NaN mean and std when no defined value remains.</summary>
    public static MeanStd Of(IEnumerable<double> values)
    {
        double sum = 0;
        var n = 0;
        var list = new List<double>();
        foreach (var v in values)
        {
            if (double.IsNaN(v))
                continue;
            list.Add(v);
            sum += v;
            n++;
        }
        if (n == 0)
            return new MeanStd(double.NaN, double.NaN, 0);
        var mean = sum / n;
        double squares = 0;
        foreach (var v in list)
            squares += (v - mean) * (v - mean);
        return new MeanStd(mean, Math.Sqrt(squares / n), n);
    }

    public override string ToString() => FormattableString.Invariant($"{Mean:F4} ± {Std:F4} (n={Count})");
}
