using Zsad.Imaging;
using Zsad.Imaging.Preprocessing;

namespace Zsad.Inference.Detection;

/// <summary>BASELINE, not a learned detector: a voxel's robust z-score of its per-slice standardised intensity
/// against the normal references' intensities at the same brain height (median and MAD per height bin), lightly
/// smoothed, calibrated like the memory detector (0.5 = the references' own 99.9th percentile). It only sees
/// "brighter or darker than brain tissue at this height", so it is the bar a texture model must clear.
/// Without references it uses the input volume itself as its reference.</summary>
public sealed class IntensityBaselineDetector : IAnomalyDetector
{
    public const string DetectorName = "intensity-baseline";
    private const int Bins = 20;
    private const double SmoothingSigma = 1.0;

    private readonly (double Median, double Scale)[]? _bins;
    private readonly DistanceCalibration? _calibration;

    private IntensityBaselineDetector((double, double)[]? bins, DistanceCalibration? calibration)
    {
        _bins = bins;
        _calibration = calibration;
    }

    public string Name => DetectorName;

    public static IntensityBaselineDetector SelfReferenced() => new(null, null);

    public static IntensityBaselineDetector Build(IReadOnlyList<Volume<float>> normals)
    {
        if (normals.Count == 0)
            return SelfReferenced();
        var standardized = normals.Select(v => Prepare(v, BrainMask.Compute(v))).ToList();
        var bins = BinStatistics(standardized);
        var scores = new List<float>();
        foreach (var s in standardized)
            scores.AddRange(RobustScores(s, bins).Where((_, i) => i % 7 == 0)); // a thinned sample is plenty for two quantiles
        return new IntensityBaselineDetector(bins, DistanceCalibration.FromSamples(scores));
    }

    public AnomalyResult Detect(Volume<float> volume, Volume<byte>? mask = null)
    {
        mask ??= BrainMask.Compute(volume);
        var prepared = Prepare(volume, mask);
        var bins = _bins ?? BinStatistics([prepared]);
        var map = volume.Like<float>();
        var raw = RobustScoreMap(prepared, bins, map);
        var calibration = _calibration ?? DistanceCalibration.FromSamples(raw);
        for (var v = 0; v < map.Data.Length; v++)
            map.Data[v] = mask.Data[v] == 0 ? 0 : calibration.Apply(map.Data[v]);
        return VolumeMaps.Finish(map, mask);
    }

    private sealed record Prepared(Volume<float> Standardized, Volume<byte> Mask, AxialSquareCrop Crop);

    private static Prepared Prepare(Volume<float> volume, Volume<byte> mask)
    {
        var std = SliceStandardization.Standardize(volume, mask, AnatomicalPlane.Axial, background: 0);
        return new Prepared(std, mask, AxialSquareCrop.Create(std, mask));
    }

    private static int BinOf(AxialSquareCrop crop, int slice) => Math.Clamp((int)(crop.NormalizedHeight(slice) * Bins), 0, Bins - 1);

    private static (double, double)[] BinStatistics(IReadOnlyList<Prepared> volumes)
    {
        var values = Enumerable.Range(0, Bins).Select(_ => new List<float>()).ToArray();
        foreach (var p in volumes)
            foreach (var (slice, pixels, mask) in BrainSlices(p))
                for (var i = 0; i < pixels.Length; i++)
                    if (mask[i] != 0)
                        values[BinOf(p.Crop, slice)].Add(pixels[i]);
        var result = new (double, double)[Bins];
        for (var b = 0; b < Bins; b++)
        {
            if (values[b].Count == 0)
            {
                result[b] = (0, 1);
                continue;
            }
            var sorted = values[b].ToArray();
            Array.Sort(sorted);
            var median = sorted[sorted.Length / 2];
            var deviations = sorted.Select(v => Math.Abs(v - median)).ToArray();
            Array.Sort(deviations);
            result[b] = (median, Math.Max(1.4826 * deviations[deviations.Length / 2], 1e-3));
        }
        return result;
    }

    private static IEnumerable<(int Slice, float[] Pixels, byte[] Mask)> BrainSlices(Prepared p)
    {
        var slices = p.Standardized.Slices(AnatomicalPlane.Axial);
        var masks = p.Mask.Slices(AnatomicalPlane.Axial);
        for (var s = p.Crop.FirstSlice; s <= p.Crop.LastSlice; s++)
            yield return (s, slices.GetSlice(s), masks.GetSlice(s));
    }

    private static List<float> RobustScores(Prepared p, (double Median, double Scale)[] bins)
        => RobustScoreMap(p, bins, p.Standardized.Like<float>());

    /// <summary>Writes raw robust scores into <paramref name="map"/> and returns the brain values.</summary>
    private static List<float> RobustScoreMap(Prepared p, (double Median, double Scale)[] bins, Volume<float> map)
    {
        var mapSlices = map.Slices(AnatomicalPlane.Axial);
        var brain = new List<float>();
        foreach (var (slice, pixels, mask) in BrainSlices(p))
        {
            var (median, scale) = bins[BinOf(p.Crop, slice)];
            for (var i = 0; i < pixels.Length; i++)
                pixels[i] = mask[i] == 0 ? 0 : (float)(Math.Abs(pixels[i] - median) / scale);
            GaussianBlur2D.Apply(pixels, mapSlices.Width, mapSlices.Height, SmoothingSigma);
            for (var i = 0; i < pixels.Length; i++)
                if (mask[i] != 0)
                    brain.Add(pixels[i]);
            mapSlices.WriteSlice(slice, pixels);
        }
        return brain;
    }
}
