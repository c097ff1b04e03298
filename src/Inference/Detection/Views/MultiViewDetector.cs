using Zsad.Imaging;
using Zsad.Imaging.Preprocessing;

namespace Zsad.Inference.Detection.Views;

/// <summary>Runs a slice-by-slice detector along several planes and averages its [0, 1] maps; then, when asked,
/// smooths the fused map across axial slices (<see cref="ThroughPlaneSmoothing"/>). Each plane's pass sees the
/// volume resliced so that plane is axial (<see cref="PlaneReslice"/>) and its map is put back exactly. Image
/// score: the mean of the per-plane image scores, as the maps are averaged (smoothing leaves it unchanged).</summary>
public sealed class MultiViewDetector : IAnomalyDetector, IDisposable
{
    private readonly IReadOnlyList<(AnatomicalPlane Plane, IAnomalyDetector Detector)> _views;

    /// <param name="views">One detector per plane: the same instance for detectors with nothing plane-specific
    /// (zero-shot heads), or one per plane for those whose memory was built from that plane's slices.</param>
    public MultiViewDetector(IReadOnlyList<(AnatomicalPlane Plane, IAnomalyDetector Detector)> views, double throughPlaneSigmaMm)
    {
        if (views.Count == 0)
            throw new ArgumentException("at least one view is needed", nameof(views));
        if (views.Select(v => v.Plane).Distinct().Count() != views.Count)
            throw new ArgumentException("a plane is listed twice", nameof(views));
        _views = views;
        Options = new SlicingOptions(views.Select(v => v.Plane).ToList(), SlicingOptions.CheckSigma(throughPlaneSigmaMm, "through-plane sigma"));
    }

    public string Name => _views[0].Detector.Name;

    public SlicingOptions Options { get; }

    /// <summary>The detector of the first view (the one whose engine and references describe the run).</summary>
    public IAnomalyDetector Inner => _views[0].Detector;

    /// <summary>Every distinct detector of the views.</summary>
    public IEnumerable<IAnomalyDetector> Detectors => _views.Select(v => v.Detector).Distinct();

    public AnomalyResult Detect(Volume<float> volume, Volume<byte>? mask = null)
    {
        mask ??= BrainMask.Compute(volume);
        var fused = volume.Like<float>();
        var score = 0.0;
        double? pValue = null;
        foreach (var (plane, detector) in _views)
        {
            AnomalyResult result;
            Volume<float> map;
            if (plane == AnatomicalPlane.Axial)
            {
                result = detector.Detect(volume, mask);
                map = result.Map;
            }
            else
            {
                result = detector.Detect(PlaneReslice.ToAxial(volume, plane), PlaneReslice.ToAxial(mask, plane));
                map = PlaneReslice.FromAxial(result.Map, volume, plane);
            }
            System.Numerics.Tensors.TensorPrimitives.Add(fused.Data, map.Data, fused.Data);
            score += result.ImageScore;
            if (result.ImagePValue is { } p)
                pValue = Math.Min(pValue ?? 1, p);
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(fused.Data, 1f / _views.Count, fused.Data);
        ThroughPlaneSmoothing.Apply(fused, mask, Options.ThroughPlaneSigmaMm);
        var data = fused.Data;
        for (var v = 0; v < data.Length; v++)
            if (mask.Data[v] == 0)
                data[v] = 0;
        // Bonferroni over the views: the smallest per-view p-value times their number.
        return new AnomalyResult(fused, score / _views.Count, pValue is { } min ? Math.Min(1, min * _views.Count) : null);
    }

    public void Dispose()
    {
        foreach (var detector in _views.Select(v => v.Detector).Distinct())
            (detector as IDisposable)?.Dispose();
    }
}
