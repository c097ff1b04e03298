using Zsad.Imaging;
using Zsad.Imaging.Filters;

namespace Zsad.Inference.Detection;

/// <summary>Trims each finding to its own core: a finding is a 26-connected set of brain voxels at or above the
/// decision level. Its voxels below <c>median + fraction (peak - median)</c> are lowered to just under the level; so,
/// when a core level is given, are its voxels whose voxel-scale score lies below it, unless none of the finding's
/// remaining voxels reaches it. The patch terms see a lesion through a field of several millimetres and mark a halo of
/// normal tissue around it: where the halo's score is well below the peak, the cut relative to the finding's own peak
/// removes it (a faint small lesion keeps all its voxels: its cut lies below the level); where the patch score is
/// capped and the halo crosses the level with little voxel-scale evidence, the core level removes it (a finding seen
/// by its patch score alone, such as a lesion of normal intensity and texture, keeps its voxels). Scores are only
/// lowered, so the share of healthy voxels at or above the level stays at most the calibrated one.</summary>
public static class FindingDelineation
{
    public static void CheckFraction(double fraction)
    {
        if (!(fraction is >= 0 and < 1))
            throw new ArgumentException($"the delineation fraction must be 0 (off) or more and below 1, not {fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    public static void CheckCoreQuantile(double quantile)
    {
        if (!(quantile is >= 0 and < 1))
            throw new ArgumentException($"the core quantile must be 0 (off) or more and below 1, not {quantile.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    /// <summary>Applies the cuts in place to the raw scores inside <paramref name="mask"/>; returns how many voxels
    /// they lowered.</summary>
    /// <param name="level">The raw decision level (the calibrated threshold).</param>
    /// <param name="median">The raw median of healthy brain, the zero of the fraction.</param>
    /// <param name="core">The voxel-scale part of <paramref name="raw"/> (on its grid) and the score a voxel of a
    /// finding's core reaches; null: no core cut.</param>
    public static int Apply(Volume<float> raw, Volume<byte> mask, double level, double median, double fraction,
        (Volume<float> VoxelScores, double Level)? core = null)
    {
        if (!raw.HasSameGrid(mask))
            throw new ArgumentException("the brain mask is not on the map's grid", nameof(mask));
        CheckFraction(fraction);
        if (!(level > median))
            throw new ArgumentException($"the decision level {level} must lie above the median {median}");
        var (voxelScores, coreLevel) = core ?? (null!, double.NaN);
        if (core is not null && !raw.HasSameGrid(voxelScores))
            throw new ArgumentException("the voxel-scale scores are not on the map's grid", nameof(core));
        if (core is not null && !double.IsFinite(coreLevel))
            throw new ArgumentException($"the core level must be a finite number, not {coreLevel}", nameof(core));
        if (fraction == 0 && core is null)
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
        var cuts = new float[sizes.Length];
        for (var label = 1; label < sizes.Length; label++)
            cuts[label] = (float)(median + fraction * (peaks[label] - median));
        // A finding has a core when one of the voxels its peak cut keeps reaches the core level.
        var hasCore = new bool[sizes.Length];
        if (core is not null)
            for (var v = 0; v < data.Length; v++)
                if (labels[v] != 0 && data[v] >= cuts[labels[v]] && voxelScores.Data[v] >= coreLevel)
                    hasCore[labels[v]] = true;
        var below = (float)(level - 1e-4 * (level - median));
        var lowered = 0;
        for (var v = 0; v < data.Length; v++)
        {
            var label = labels[v];
            if (label == 0 || (data[v] >= cuts[label] && !(hasCore[label] && voxelScores.Data[v] < coreLevel)))
                continue;
            data[v] = below;
            lowered++;
        }
        return lowered;
    }
}
