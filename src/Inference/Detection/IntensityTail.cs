namespace Zsad.Inference.Detection;

/// <summary>How rare a voxel's own intensity is among the normals' brain voxels: the voxel-scale term of the memory
/// detector's map. Patch features see a lesion through a receptive field of several millimetres and paint a halo
/// around it; a voxel whose slice-standardised intensity lies in the far tail of normal brain (brighter or darker
/// than nearly every normal voxel) is marked where it is, so the outline follows the lesion. Thresholding intensities
/// against normal brain is a strong baseline for brain lesions on its own (Meissen et al. 2021, Saase et al. 2020);
/// here it adds to the feature score rather than replacing it.
///
/// The score is the two-sided tail -log10(2 · min(F(s), 1 - F(s)) + 1/n) of the value s among the n normal values
/// (F: share of normal values below s): 0 at the median, log10(n) beyond every normal voxel, the 1/n keeping it
/// finite and stating the sample's resolution. It is stored as the values where it reaches the levels
/// 0, step, 2·step, … on each side (and log10 n at the normals' extremes), linear in between.</summary>
public sealed class IntensityTail
{
    /// <summary>Levels 0.05 apart: 20 per decade of tail probability.</summary>
    public const double DefaultStep = 0.05;

    /// <param name="lower">Values at the levels, non-increasing: a value at or below lower[k] scores at least level k.</param>
    /// <param name="upper">Values at the levels, non-decreasing: a value above upper[k] scores at least level k.</param>
    public IntensityTail(long voxels, double step, float[] lower, float[] upper)
    {
        if (voxels < 2)
            throw new ArgumentException($"the intensity tail needs at least 2 normal voxels, not {voxels}", nameof(voxels));
        if (!(step > 0) || !double.IsFinite(step))
            throw new ArgumentException($"the level step {step} must be a finite number above 0", nameof(step));
        if (lower.Length != LevelCount(voxels, step) || upper.Length != lower.Length)
            throw new ArgumentException($"{voxels} voxels at steps of {step} need {LevelCount(voxels, step)} values per side, not {lower.Length} and {upper.Length}");
        for (var k = 0; k < lower.Length; k++)
        {
            if (!float.IsFinite(lower[k]) || !float.IsFinite(upper[k]))
                throw new ArgumentException($"intensity tail level {k} is not a finite number");
            if (k > 0 && (lower[k] > lower[k - 1] || upper[k] < upper[k - 1]))
                throw new ArgumentException($"intensity tail level {k}: the lower values must not rise and the upper ones must not fall with the level");
        }
        if (lower[0] > upper[0])
            throw new ArgumentException($"intensity tail: the lower median {lower[0]} lies above the upper one {upper[0]}");
        Voxels = voxels;
        Step = step;
        Lower = lower;
        Upper = upper;
        MaxScore = (float)Math.Log10(voxels);
    }

    /// <summary>Normal brain voxels the tail was counted from.</summary>
    public long Voxels { get; }

    public double Step { get; }

    public float[] Lower { get; }

    public float[] Upper { get; }

    /// <summary>log10 of <see cref="Voxels"/>: the score of a value beyond every normal voxel.</summary>
    public float MaxScore { get; }

    /// <summary>Levels 0, step, … up to log10 n, and log10 n itself last.</summary>
    public static int LevelCount(long voxels, double step) => (int)Math.Floor(Math.Log10(voxels) / step) + 2;

    /// <summary>The tail of <paramref name="values"/> (sorted here, in place): slice-standardised intensities of
    /// normal brain voxels.</summary>
    public static IntensityTail FromValues(float[] values, double step = DefaultStep)
    {
        var n = values.LongLength;
        if (n < 2)
            throw new ArgumentException($"the intensity tail needs at least 2 normal brain voxels, not {n}", nameof(values));
        if (values.Any(v => !float.IsFinite(v)))
            throw new ArgumentException("the normal intensities hold a value that is not a finite number", nameof(values));
        Array.Sort(values);
        var count = LevelCount(n, step);
        var lower = new float[count];
        var upper = new float[count];
        for (var k = 0; k < count - 1; k++)
        {
            // 2i/n + 1/n <= 10^-level holds for the i values below s up to this rank: the last value still that rare
            var rank = (long)Math.Floor((n * Math.Pow(10, -k * step) - 1) / 2);
            rank = Math.Clamp(rank, 0, n - 1);
            lower[k] = values[rank];
            upper[k] = values[n - 1 - rank];
        }
        lower[count - 1] = values[0];
        upper[count - 1] = values[n - 1];
        return new IntensityTail(n, step, lower, upper);
    }

    /// <summary>The tail score of one slice-standardised value.</summary>
    public float Score(float value)
    {
        if (value <= Lower[0])
            return Side(Lower, -1, value);
        if (value > Upper[0])
            return Side(Upper, 1, value);
        return 0;
    }

    /// <summary>Adds weight · score for every brain pixel of a slice to its raw map.</summary>
    public void AddTo(ReadOnlySpan<float> standardized, ReadOnlySpan<byte> brain, float weight, Span<float> raw)
    {
        for (var p = 0; p < raw.Length; p++)
            if (brain[p] != 0)
                raw[p] += weight * Score(standardized[p]);
    }

    // Measured outwards from the median (sign -1 on the lower side), either side's table ascends, so one search
    // serves both.
    private float Side(float[] table, int sign, float value)
    {
        var distance = sign * (value - table[0]);
        int lo = 0, hi = table.Length - 1;
        if (distance >= sign * (table[hi] - table[0]))
            return MaxScore;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            if (sign * (table[mid] - table[0]) <= distance)
                lo = mid;
            else
                hi = mid;
        }
        var a = sign * (table[lo] - table[0]);
        var b = sign * (table[hi] - table[0]);
        var levelLo = (float)(lo * Step);
        var levelHi = hi == table.Length - 1 ? MaxScore : (float)(hi * Step);
        return b > a ? levelLo + (levelHi - levelLo) * (distance - a) / (b - a) : levelLo;
    }
}
