using Zsad.Imaging;

namespace Zsad.Inference.Detection.Views;

/// <summary>How a detector's 2D slice pass covers a volume: the planes it runs along (maps averaged) and the
/// Gaussian sigma, in millimetres, of the smoothing across axial slices applied to the fused map (0 = none).</summary>
public sealed record SlicingOptions(IReadOnlyList<AnatomicalPlane> Views, double ThroughPlaneSigmaMm)
{
    public static SlicingOptions Default { get; } = new([AnatomicalPlane.Axial], 0);

    public bool IsDefault => Views is [AnatomicalPlane.Axial] && ThroughPlaneSigmaMm == 0;

    /// <summary>"axial,coronal,sagittal" (any order, no repeats) to planes; the error names <paramref name="key"/>.</summary>
    public static IReadOnlyList<AnatomicalPlane> ParseViews(string text, string key)
    {
        var views = new List<AnatomicalPlane>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            AnatomicalPlane plane = part.ToLowerInvariant() switch
            {
                "axial" => AnatomicalPlane.Axial,
                "coronal" => AnatomicalPlane.Coronal,
                "sagittal" => AnatomicalPlane.Sagittal,
                _ => throw new ArgumentException($"{key}: '{part}' is not axial, coronal or sagittal"),
            };
            if (views.Contains(plane))
                throw new ArgumentException($"{key}: '{part}' is listed twice");
            views.Add(plane);
        }
        return views.Count == 0 ? throw new ArgumentException($"{key}: no view given (axial, coronal, sagittal)") : views;
    }

    /// <summary>A sigma in millimetres, 0 or more; the error names <paramref name="key"/>.</summary>
    public static double ParseSigma(string text, string key)
        => double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var sigma)
            ? CheckSigma(sigma, key)
            : throw new ArgumentException($"{key}: '{text}' is not a number of millimetres");

    public static double CheckSigma(double sigma, string key)
        => sigma >= 0 && double.IsFinite(sigma) ? sigma : throw new ArgumentException($"{key}: sigma must be 0 or more millimetres, not {sigma}");

    /// <summary>Each setting from the first source that has it: command line / configuration, then the bundle
    /// manifest, then the default (axial only, no smoothing).</summary>
    public static SlicingOptions Resolve(string? views, string? sigma, IReadOnlyList<string>? manifestViews, double? manifestSigma)
    {
        var planes = views is not null ? ParseViews(views, "--views")
            : manifestViews is not null ? ParseViews(string.Join(',', manifestViews), "manifest 'views'")
            : Default.Views;
        var mm = sigma is not null ? ParseSigma(sigma, "--through-plane-sigma")
            : manifestSigma is { } m ? CheckSigma(m, "manifest 'throughPlaneSigma'")
            : 0;
        return new SlicingOptions(planes, mm);
    }

    public override string ToString()
        => $"views {string.Join('+', Views.Select(v => v.ToString().ToLowerInvariant()))}, through-plane sigma {ThroughPlaneSigmaMm:0.###} mm";
}
