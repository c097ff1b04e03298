using System.Globalization;

namespace Zsad.Reporter.Segmentation;

/// <summary>The smallest 3D connected component kept in a segmentation, in voxels or in mm³ (converted with the
/// voxel volume of the grid, so one setting means the same lesion size on any scanner resolution).</summary>
public readonly record struct MinimumComponentSize(double Amount, bool InCubicMillimetres)
{
    public static MinimumComponentSize None => default;

    public bool IsNone => Amount <= 0;

    public static MinimumComponentSize Voxels(int count) => new(count, false);

    public static MinimumComponentSize CubicMillimetres(double volume) => new(volume, true);

    /// <summary>Voxels needed for a component to stay, on a grid with the given voxel volume.</summary>
    public long VoxelsFor(double voxelVolumeMm3)
        => IsNone ? 0 : InCubicMillimetres ? (long)Math.Ceiling(Amount / voxelVolumeMm3 - 1e-9) : (long)Math.Ceiling(Amount);

    /// <summary>"50" (voxels) or "50mm3" (cubic millimetres).</summary>
    public static MinimumComponentSize Parse(string text)
    {
        var t = text.Trim();
        var mm = t.EndsWith("mm3", StringComparison.OrdinalIgnoreCase);
        if (mm)
            t = t[..^3];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !double.IsFinite(amount) || amount < 0)
            throw new ArgumentException($"minimum size '{text}': expected a non-negative number of voxels, or of mm³ with the suffix mm3");
        return new(amount, mm);
    }

    public override string ToString()
        => IsNone ? "0" : InCubicMillimetres ? FormattableString.Invariant($"{Amount:R}mm3") : FormattableString.Invariant($"{Amount:R}");
}
