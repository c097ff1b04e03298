using Zsad.Imaging;
using Zsad.Imaging.Filters;

namespace Zsad.Inference.Detection;

/// <summary>Trims each finding to its own core: a finding is a 26-connected set of brain voxels at or above the
/// decision level, and its voxels below <c>median + fraction (peak - median)</c> are lowered to just under the level.
/// The patch terms see a lesion through a field of several millimetres and mark a halo of normal tissue around it; the
/// halo sits on the flank of the finding's peak, so a cut relative to each finding's own peak removes it where a
/// global level cannot (a faint small lesion keeps all its voxels: its cut lies below the level). Scores are only
/// lowered, so the share of healthy voxels at or above the level stays at most the calibrated one.</summary>
public static class FindingDelineation
{
    public static void CheckFraction(double fraction)
    {
        if (!(fraction is >= 0 and < 1))
            throw new ArgumentException($"the delineation fraction must be 0 (off) or more and below 1, not {fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    /// <summary>Applies the cut in place to the raw scores inside <paramref name="mask"/>; returns how many voxels it
    /// lowered.</summary>
    /// <param name="level">The raw decision level (the calibrated threshold).</param>
    /// <param name="median">The raw median of healthy brain, the zero of the fraction.</param>
    public static int Apply(Volume<float> raw, Volume<byte> mask, double level, double median, double fraction)
    {
        if (!raw.HasSameGrid(mask))
            throw new ArgumentException("the brain mask is not on the map's grid", nameof(mask));
        CheckFraction(fraction);
        if (!(level > median))
            throw new ArgumentException($"the decision level {level} must lie above the median {median}");
        if (fraction == 0)
            return 0;
        var data = raw.Data;
        var flagged = new byte[data.Length];
        for (var v = 0; v < data.Length; v++)
            flagged[v] = (byte)(mask.Data[v] != 0 && data[v] >= level ? 1 : 0);
        var labels = ConnectedComponents.Label(flagged, raw.SizeX, raw.SizeY, raw.SizeZ, Connectivity.Full26, out var sizes);
        var peaks = new float[sizes.Length];
        Array.Fill(peaks, float.MinValue);
        for (var v = 0; v < data.Length; v++)
            if (labels[v] != 0)
                peaks[labels[v]] = Math.Max(peaks[labels[v]], data[v]);
        var below = (float)(level - 1e-4 * (level - median));
        var lowered = 0;
        for (var v = 0; v < data.Length; v++)
        {
            if (labels[v] == 0 || data[v] >= median + fraction * (peaks[labels[v]] - median))
                continue;
            data[v] = below;
            lowered++;
        }
        return lowered;
    }
}
