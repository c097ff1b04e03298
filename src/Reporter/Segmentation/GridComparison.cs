using System.Globalization;
using Zsad.Imaging;

namespace Zsad.Reporter.Segmentation;

/// <summary>Says how a map's voxel grid differs from its source series' grid, in words an operator can act on
/// (a map that was resampled, reoriented or written for another series must not be painted onto these slices).</summary>
public static class GridComparison
{
    public const double Tolerance = 1e-3;

    /// <summary>Null when the grids agree (same dimensions, affines equal within <see cref="Tolerance"/> mm).</summary>
    public static string? Describe(Volume map, Volume series, string reference = "source series")
    {
        var differences = new List<string>();
        if (map.SizeX != series.SizeX || map.SizeY != series.SizeY || map.SizeZ != series.SizeZ)
            differences.Add($"dimensions {map.SizeX}x{map.SizeY}x{map.SizeZ}, the {reference} has {series.SizeX}x{series.SizeY}x{series.SizeZ}");
        for (var axis = 0; axis < 3; axis++)
        {
            var a = map.Affine.Column(axis);
            var b = series.Affine.Column(axis);
            if (a.MaxAbsDifference(b) <= Tolerance)
                continue;
            var name = "ijk"[axis];
            if (a.MaxAbsDifference(-b) <= Tolerance)
                differences.Add($"axis {name} is reversed (flipped) relative to the {reference}");
            else if (Math.Abs(a.Length - b.Length) > Tolerance)
                differences.Add(F($"spacing along {name} is {a.Length:0.####} mm, the {reference} has {b.Length:0.####} mm"));
            else
                differences.Add($"axis {name} points {Letters(a)}, the {reference}'s points {Letters(b)} (reoriented or permuted)");
        }
        var offset = map.Origin - series.Origin;
        if (offset.Length > Tolerance && differences.Count == 0)
            differences.Add(F($"the first voxel is at {map.Origin} mm, the {reference}'s at {series.Origin} mm (shifted by {offset.Length:0.###} mm)"));
        return differences.Count == 0 ? null : $"the map is not on the {reference}'s grid: " + string.Join("; ", differences)
            + $". Write the map on the {reference}'s grid (zsad infer does for its input) or resample it first.";
    }

    /// <summary>The LPS letter of the patient axis a direction is closest to (L/R, P/A, S/I).</summary>
    private static string Letters(Vec3 v)
    {
        double x = Math.Abs(v.X), y = Math.Abs(v.Y), z = Math.Abs(v.Z);
        return x >= y && x >= z ? (v.X > 0 ? "L" : "R") : y >= z ? (v.Y > 0 ? "P" : "A") : (v.Z > 0 ? "S" : "I");
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
