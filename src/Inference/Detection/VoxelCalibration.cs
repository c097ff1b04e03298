using System.Globalization;

namespace Zsad.Inference.Detection;

/// <summary>Voxel- and image-level calibration of a detector's raw scores on held-out normal volumes (each normal
/// mapped against a memory built without it). The map becomes <c>0.5 (raw - median) / (threshold - median)</c>
/// clamped to [0, 1], where threshold is the (1 - FalsePositiveRate) quantile of the held-out normal brain voxels:
/// so a map value of 0.5 or more flags about FalsePositiveRate of healthy voxels. The image statistic of each
/// held-out normal volume gives the null distribution of the per-volume p-value.</summary>
/// <param name="FalsePositiveRate">Target share of healthy brain voxels at or above the decision level.</param>
/// <param name="Median">Median raw voxel score inside the brain of the held-out normals.</param>
/// <param name="Threshold">The (1 - FalsePositiveRate) quantile of those scores: map value 0.5.</param>
/// <param name="Quantiles">The held-out voxel-score quantiles at <see cref="StoredLevels"/> (what a bundle stores).</param>
/// <param name="NormalImageStatistics">The raw image statistic (<paramref name="ImageRule"/>) of each held-out normal
/// volume.</param>
/// <param name="Voxels">How many held-out brain voxels the quantiles come from.</param>
/// <param name="ImageRule">Which image statistic the normals' are, and a volume's is measured with.</param>
/// <param name="UnlikeNormals">Held-out normals unlike the others, left out of <paramref name="Median"/>, <paramref
/// name="Threshold"/> and <paramref name="Quantiles"/> (null or empty: none; bundles built before it).</param>
/// <param name="FindingMassLevel">A scan keeps the findings heavier than this (<see cref="FindingMass"/>); null: every
/// finding is kept (bundles built before it).</param>
/// <param name="FalseFindingsPerScan">The false findings per healthy scan that <paramref name="FindingMassLevel"/> lets
/// through, counted on the held-out normals.</param>
/// <param name="SideReferences">With <see cref="ImageStatisticRule.SidedPeak"/>: the median over the held-out normals of
/// their bright-side and dark-side peaks, which a volume's are measured against.</param>
public sealed record VoxelCalibration(double FalsePositiveRate, double Median, double Threshold, IReadOnlyList<QuantilePoint> Quantiles,
    IReadOnlyList<double> NormalImageStatistics, long Voxels, ImageStatisticRule ImageRule = ImageStatisticRule.Peak,
    IReadOnlyList<UnlikeNormal>? UnlikeNormals = null, double? FindingMassLevel = null, double? FalseFindingsPerScan = null,
    SidePeaks? SideReferences = null)
{
    public const double DefaultFalsePositiveRate = 1e-4;

    /// <summary>A held-out normal is unlike the others when the level pooled over the others flags more than this many
    /// times the rate of its brain (1 % at the default rate). On the studies of docs/detectors.md the normals reach
    /// at most 21 times; the one normal of held-out draw 7 that raised every scan's level reaches 370 times.</summary>
    public const double UnlikeFactor = 100;

    /// <summary>The quantile levels kept in a bundle (1 - the level = the healthy-voxel false-positive rate).</summary>
    public static IReadOnlyList<double> StoredLevels { get; } = [0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999];

    /// <summary>The <see cref="ImageStatisticRule.BrainQuantile"/> of bundles built before the peak.</summary>
    public const double ImageStatisticQuantile = 0.9999;

    /// <summary>The <see cref="ImageStatisticRule.Peak"/> averages the highest brain scores over this many cubic
    /// millimetres (a 2 mm cube; at least one voxel): a single-voxel spike cannot set it alone at 1 mm, and a 3 mm
    /// lesion (14 mm³) fills it.</summary>
    public const double PeakMm3 = 8;

    public float Apply(double raw)
    {
        var span = Math.Max(Threshold - Median, 1e-12);
        return (float)Math.Clamp(0.5 * (raw - Median) / span, 0, 1);
    }

    /// <summary>A volume's image score in [0, 1] from its image statistic: the sided peak halved (0.5 = as high as the
    /// median healthy brain's peak on the same side), the other statistics on the map's scale (<see cref="Apply"/>).</summary>
    public float ImageScore(double imageStatistic) =>
        ImageRule == ImageStatisticRule.SidedPeak ? (float)Math.Clamp(0.5 * imageStatistic, 0, 1) : Apply(imageStatistic);

    /// <summary>A volume's image statistic by <see cref="ImageRule"/>, from its raw brain scores (reordered in place)
    /// and, for the sided peak, the image intensities of the same voxels.</summary>
    public double ImageStatisticOf(float[] brainScores, float[] brainIntensities, double voxelMm3) => ImageRule switch
    {
        ImageStatisticRule.SidedPeak => Sided(SidePeaksOf(brainScores, brainIntensities, voxelMm3), Median,
            SideReferences ?? throw new InvalidOperationException("a sided-peak calibration without its side references")),
        var rule => ImageStatistic(brainScores, rule, voxelMm3),
    };

    /// <summary>The <see cref="ImageStatisticRule.Peak"/> of the brain voxels brighter than the brain's median
    /// intensity, and that of the others (a side without voxels: <paramref name="brainScores"/>' lowest score).</summary>
    public static SidePeaks SidePeaksOf(float[] brainScores, float[] brainIntensities, double voxelMm3)
    {
        if (brainIntensities.Length != brainScores.Length)
            throw new ArgumentException($"{brainScores.Length} brain scores but {brainIntensities.Length} intensities", nameof(brainIntensities));
        if (brainScores.Length == 0)
            return new SidePeaks(0, 0);
        var median = MedianOf(brainIntensities);
        var bright = new List<float>();
        var dark = new List<float>();
        for (var i = 0; i < brainScores.Length; i++)
            (brainIntensities[i] > median ? bright : dark).Add(brainScores[i]);
        var lowest = brainScores.Min();
        double Peak(List<float> side) => side.Count == 0 ? lowest : ImageStatistic(side.ToArray(), ImageStatisticRule.Peak, voxelMm3);
        return new SidePeaks(Peak(bright), Peak(dark));
    }

    private static double MedianOf(IEnumerable<float> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return Quantile(sorted, 0.5);
    }

    /// <summary>The sided peak: the larger of each side's height above the median voxel score, in units of the normals'
    /// median peak on that side above it.</summary>
    private static double Sided(SidePeaks peaks, double median, SidePeaks references) => Math.Max(
        (peaks.Bright - median) / Math.Max(references.Bright - median, 1e-12),
        (peaks.Dark - median) / Math.Max(references.Dark - median, 1e-12));

    /// <summary>Conformal p-value of a volume's image statistic against the held-out normals: (1 + #normals at or
    /// above it) / (1 + #normals). Valid (never too small) when the volume is exchangeable with the normals; its
    /// smallest value is 1 / (1 + #normals), so few normals cannot give small p-values.</summary>
    public double PValue(double imageStatistic)
    {
        if (double.IsNaN(imageStatistic))
            throw new ArgumentException("the image statistic is NaN", nameof(imageStatistic));
        var atOrAbove = NormalImageStatistics.Count(s => s >= imageStatistic);
        return (1.0 + atOrAbove) / (1.0 + NormalImageStatistics.Count);
    }

    /// <summary>The calibration from the raw brain-voxel scores of each held-out normal volume (sorted in place).
    /// The decision threshold is the (1 - rate) quantile of all their voxels <b>pooled</b>: the share of healthy
    /// voxels at or above it, averaged over the normals, is the rate, which is what the map's 0.5 promises. The
    /// median over the normals of each one's own quantile (the rule before) let the quieter half of the normals set
    /// the level: with 3-4 normals of which one or two were noisier, healthy scans like those had 9-33 times the
    /// stated share flagged (issue 18, docs/detectors.md). A minority of normals unlike the others (<see
    /// cref="FindUnlike"/>) is left out of the level: one such normal would otherwise set it for every scan (held-out
    /// draw 7: raw 6.43 with it, 4.88 without). They stay in the image statistics, the p-value's null, which they can
    /// only make more cautious, and the memory bank.</summary>
    /// <param name="voxelMm3">The voxel volume of each held-out normal, in mm³, for its <see
    /// cref="ImageStatisticRule.Peak"/>.</param>
    /// <param name="sidePeaks">When given, each held-out normal's <see cref="SidePeaksOf"/>: the image statistic is then
    /// the <see cref="ImageStatisticRule.SidedPeak"/>, else the <see cref="ImageStatisticRule.Peak"/>.</param>
    public static VoxelCalibration FromVolumes(IReadOnlyList<float[]> heldOutVolumes, IReadOnlyList<double> voxelMm3, double falsePositiveRate = DefaultFalsePositiveRate,
        IReadOnlyList<SidePeaks>? sidePeaks = null)
    {
        CheckRate(falsePositiveRate);
        if (voxelMm3.Count != heldOutVolumes.Count)
            throw new ArgumentException($"{heldOutVolumes.Count} held-out volumes but {voxelMm3.Count} voxel volumes", nameof(voxelMm3));
        if (heldOutVolumes.Count == 0 || heldOutVolumes.All(v => v.Length == 0))
            throw new InvalidOperationException("no held-out normal voxels to calibrate on");
        if (sidePeaks is not null && sidePeaks.Count != heldOutVolumes.Count)
            throw new ArgumentException($"{heldOutVolumes.Count} held-out volumes but {sidePeaks.Count} side peaks", nameof(sidePeaks));
        var volumes = heldOutVolumes.Select((scores, index) => (Scores: scores, Mm3: voxelMm3[index], Index: index)).Where(v => v.Scores.Length > 0).ToList();
        var sides = sidePeaks is null ? null : volumes.Select(v => sidePeaks[v.Index]).ToList();
        // Sorts each volume's scores in place.
        var imageStatistics = volumes.Select(v => ImageStatistic(v.Scores, ImageStatisticRule.Peak, v.Mm3)).ToList();
        var unlike = FindUnlike(volumes.Select(v => v.Scores).ToList(), falsePositiveRate);
        var pooled = volumes.Where((_, i) => !unlike.Any(u => u.Index == i)).SelectMany(v => v.Scores).ToArray();
        Array.Sort(pooled);
        var threshold = Quantile(pooled, 1 - falsePositiveRate);
        var quantiles = StoredLevels.Select(q => new QuantilePoint(q, Quantile(pooled, q))).ToList();
        var median = Quantile(pooled, 0.5);
        var unlikeNormals = unlike.Select(u => u with { Index = volumes[u.Index].Index }).ToList();
        if (sides is null)
            return new VoxelCalibration(falsePositiveRate, median, Math.Max(threshold, median + 1e-9), quantiles, imageStatistics, pooled.LongLength,
                UnlikeNormals: unlikeNormals);
        var references = new SidePeaks(MedianOf(sides.Select(s => (float)s.Bright)), MedianOf(sides.Select(s => (float)s.Dark)));
        return new VoxelCalibration(falsePositiveRate, median, Math.Max(threshold, median + 1e-9), quantiles,
            sides.Select(s => Sided(s, median, references)).ToList(), pooled.LongLength, ImageStatisticRule.SidedPeak, unlikeNormals,
            SideReferences: references);
    }

    /// <summary>The held-out normals (each one's brain scores, sorted) unlike the others: those of which the (1 - rate)
    /// level pooled over the others flags more than <see cref="UnlikeFactor"/> times the rate. A scan so unlike the
    /// rest (another protocol, an artefact, an unlabelled lesion) is found by its own leave-one-out, so it would set the
    /// pooled level alone. Only a minority is named: with three or more normals, fewer than half of them; when more
    /// are unlike the rest, the normals are simply varied and all of them set the level.</summary>
    public static IReadOnlyList<UnlikeNormal> FindUnlike(IReadOnlyList<float[]> sortedVolumes, double falsePositiveRate)
    {
        if (sortedVolumes.Count < 3)
            return [];
        var unlike = new List<UnlikeNormal>();
        for (var i = 0; i < sortedVolumes.Count; i++)
        {
            var level = PooledQuantile(sortedVolumes.Where((_, j) => j != i).ToList(), 1 - falsePositiveRate);
            var scores = sortedVolumes[i];
            var share = (double)(scores.Length - LowerBound(scores, level)) / scores.Length;
            if (share > UnlikeFactor * falsePositiveRate)
                unlike.Add(new UnlikeNormal(i, share));
        }
        return 2 * unlike.Count < sortedVolumes.Count ? unlike : [];
    }

    /// <summary><see cref="Quantile"/> of several sorted arrays pooled, reading only their upper tails: the order
    /// statistics it needs are among the top (n - floor(q (n - 1))) of the pool, so among each array's top as many.</summary>
    public static double PooledQuantile(IReadOnlyList<float[]> sortedArrays, double q)
    {
        var n = sortedArrays.Sum(a => (long)a.Length);
        var pos = q * (n - 1);
        var lo = (long)Math.Floor(pos);
        var take = n - lo;
        var tail = sortedArrays.SelectMany(a => new ArraySegment<float>(a, (int)Math.Max(0, a.Length - take), (int)Math.Min(a.Length, take))).ToArray();
        Array.Sort(tail);
        var at = (int)(tail.Length - take);
        return tail[at] + (pos - lo) * (tail[Math.Min(at + 1, tail.Length - 1)] - tail[at]);
    }

    /// <summary>The first index of sorted <paramref name="values"/> at or above <paramref name="level"/>.</summary>
    private static int LowerBound(float[] values, double level)
    {
        int lo = 0, hi = values.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (values[mid] < level)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    public static void CheckRate(double falsePositiveRate)
    {
        if (!(falsePositiveRate is > 0 and < 0.5))
            throw new ArgumentException($"the false-positive rate per healthy voxel must be above 0 and below 0.5, not {falsePositiveRate.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Linear interpolation between order statistics of sorted values (numpy's default rule).</summary>
    public static double Quantile(ReadOnlySpan<float> sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>The image statistic of a volume's raw brain scores (reordered in place) by <paramref name="rule"/>.</summary>
    /// <param name="voxelMm3">The volume of one voxel in mm³ (<see cref="ImageStatisticRule.Peak"/>).</param>
    public static double ImageStatistic(float[] brainScores, ImageStatisticRule rule, double voxelMm3)
    {
        if (brainScores.Length == 0)
            return 0;
        Array.Sort(brainScores);
        if (rule == ImageStatisticRule.BrainQuantile)
            return Quantile(brainScores, ImageStatisticQuantile);
        if (!(voxelMm3 > 0) || !double.IsFinite(voxelMm3))
            throw new ArgumentOutOfRangeException(nameof(voxelMm3), $"a voxel's volume must be a positive number of mm³, not {voxelMm3}");
        var count = (int)Math.Clamp(Math.Round(PeakMm3 / voxelMm3), 1, brainScores.Length);
        double sum = 0;
        for (var i = brainScores.Length - count; i < brainScores.Length; i++)
            sum += brainScores[i];
        return sum / count;
    }

    public override string ToString() => FormattableString.Invariant(
        $"voxel FPR {FalsePositiveRate:G3}: median {Median:F4}, threshold {Threshold:F4} on {Voxels} held-out voxels; image statistic ({ImageRule}) of {NormalImageStatistics.Count} normals {string.Join(", ", NormalImageStatistics.Select(s => s.ToString("F4", CultureInfo.InvariantCulture)))}{(SideReferences is { } r ? $" (against the normals' median bright / dark peaks {r.Bright:F4} / {r.Dark:F4})" : "")}{string.Concat((UnlikeNormals ?? []).Select(u => $"; {u}"))}{(FindingMassLevel is { } mass ? $"; findings kept above mass {mass:F2} ({FalseFindingsPerScan:G3} false per healthy scan)" : "")}");
}

/// <summary>What a volume's image statistic is, over its raw brain scores before the findings are delineated.</summary>
public enum ImageStatisticRule
{
    /// <summary>The 99.99th percentile (bundles built before the peak). A lesion smaller than a ten-thousandth of the
    /// brain (about 150 voxels of an adult brain at 1 mm, a 6.5 mm sphere) cannot raise it on its own.</summary>
    BrainQuantile,

    /// <summary>The mean of the highest scores over <see cref="VoxelCalibration.PeakMm3"/>: the strongest evidence
    /// anywhere in the brain, however small the region that carries it.</summary>
    Peak,

    /// <summary>The <see cref="Peak"/> of the voxels brighter than the brain's median intensity and that of the darker
    /// ones, each as a multiple of the normals' median peak on that side (heights above the median voxel score), the
    /// larger of the two. A healthy brain's highest scores are mostly dark (partial-volume CSF where subjects differ),
    /// so one overall peak let them outrank small bright lesions (issue 18, docs/detectors.md).</summary>
    SidedPeak,
}

/// <summary>A volume's peak over its brain voxels brighter than the brain's median intensity and over the others.</summary>
public readonly record struct SidePeaks(double Bright, double Dark);

/// <summary>A held-out normal left out of the voxel level (<see cref="VoxelCalibration.FindUnlike"/>).</summary>
/// <param name="Index">Its place among the normals given (0-based).</param>
/// <param name="ShareFlagged">The share of its brain voxels at or above the level pooled over the others.</param>
public sealed record UnlikeNormal(int Index, double ShareFlagged)
{
    public override string ToString() => FormattableString.Invariant(
        $"normal #{Index + 1} is unlike the others ({100 * ShareFlagged:0.###} % of its brain at or above their level) and left out of the level");
}

/// <param name="Level">Quantile level in (0, 1).</param>
/// <param name="Value">Raw score at that level.</param>
public sealed record QuantilePoint(double Level, double Value);
