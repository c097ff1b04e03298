using System.Runtime.InteropServices;
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
/// by its patch score alone, such as a lesion of normal intensity and texture, keeps its voxels).
///
/// The core cut misses a lesion's edge both ways. A lesion's edge is blurred over a millimetre or two (partial
/// volume), so its outer voxels lie between the lesion's intensity and the surrounding tissue's, inside the normal
/// range of the brain, and the core cut drops them; halo voxels whose voxel-scale score reaches the core level next
/// to the lesion stay. When the image is given, a finding whose core stands out in intensity from the
/// tissue around it is outlined by its half-contrast edge instead: it keeps the voxels on the core's side of the
/// midpoint between the core's and the tissue's intensities, within a reach of the core cut's voxels (<see
/// cref="FollowEdges"/>). That edge is the one a reader outlines, and the one that delineation by a fixed share of the
/// peak contrast uses elsewhere in imaging. A finding without such contrast (a lesion seen by its texture or shape)
/// keeps the core cut. Scores are only lowered, so the share of healthy voxels at or above the level stays at most the
/// calibrated one.</summary>
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
    /// <param name="edge">The image the map was computed from (on its grid) and how far, in mm beyond the core cut's
    /// voxels, a finding's half-contrast edge may reach; null or a reach of 0: the core cut alone. Needs <paramref
    /// name="core"/>.</param>
    public static int Apply(Volume<float> raw, Volume<byte> mask, double level, double median, double fraction,
        (Volume<float> VoxelScores, double Level)? core = null, (Volume<float> Image, double ReachMm)? edge = null)
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
        if (edge is { } e)
        {
            CheckEdgeReach(e.ReachMm);
            if (core is null)
                throw new ArgumentException("the half-contrast edge starts from the core cut: it needs the core", nameof(edge));
            if (!raw.HasSameGrid(e.Image))
                throw new ArgumentException("the image is not on the map's grid", nameof(edge));
        }
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
        var kept = new byte[data.Length];
        for (var v = 0; v < data.Length; v++)
        {
            var label = labels[v];
            if (label != 0 && data[v] >= cuts[label] && !(hasCore[label] && voxelScores.Data[v] < coreLevel))
                kept[v] = 1;
        }
        if (edge is { ReachMm: > 0 } withEdge)
            FollowEdges(new Findings(labels, cuts, hasCore, raw), mask, flagged, withEdge.Image, withEdge.ReachMm, kept);
        var below = JustBelow(level, median);
        var lowered = 0;
        for (var v = 0; v < data.Length; v++)
        {
            if (labels[v] == 0 || kept[v] != 0)
                continue;
            data[v] = below;
            lowered++;
        }
        return lowered;
    }

    /// <summary>Where a cut voxel's score is lowered to: just under the level, so that it leaves the segmentation and
    /// keeps nearly its rank among the brain's scores.</summary>
    internal static float JustBelow(double level, double median) => (float)(level - 1e-4 * (level - median));

    public static void CheckEdgeReach(double reachMm)
    {
        if (!(reachMm >= 0) || !double.IsFinite(reachMm))
            throw new ArgumentException($"the edge reach must be a finite number of mm, 0 (off) or more, not {reachMm.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    /// <summary>The tissue around a finding: brain voxels below the level from this far beyond the finding (past the
    /// blurred edge of what the finding holds) ...</summary>
    private const double ShellInnerMm = 2;

    /// <summary>... to this far (close enough to share the finding's bias field and tissue).</summary>
    private const double ShellOuterMm = 5;

    /// <summary>Fewest surrounding voxels whose median and spread are trusted.</summary>
    private const int MinShellVoxels = 10;

    /// <summary>A finding follows its edge only when its core's median intensity lies this many robust standard deviations
    /// of the surrounding tissue away from that tissue's median: a lesion of normal intensity (seen by its texture or
    /// its shape) has no intensity edge to follow.</summary>
    private const double MinContrastSd = 2;

    /// <summary>The labelled findings of a map (labels 1 to Cuts.Length - 1) and their peak cuts.</summary>
    private sealed record Findings(int[] Labels, float[] Cuts, bool[] HasCore, Volume<float> Raw);

    /// <summary>For each finding with a core whose median intensity contrasts with that of the tissue around the
    /// finding (<see cref="ShellInnerMm"/> to <see cref="ShellOuterMm"/> beyond it), replaces the core cut's decision:
    /// kept are the voxels that pass the finding's peak cut, lie on the core's side of the midpoint between the two
    /// intensities, and lie within <paramref name="reachMm"/> of a voxel the core cut kept. Each finding is worked on in
    /// its bounding box, grown by the shell.</summary>
    private static void FollowEdges(Findings findings, Volume<byte> mask, byte[] flagged, Volume<float> image, double reachMm, byte[] kept)
    {
        var (labels, raw) = (findings.Labels, findings.Raw);
        var (nx, ny, nz) = (raw.SizeX, raw.SizeY, raw.SizeZ);
        var boxes = new (int X0, int Y0, int Z0, int X1, int Y1, int Z1)[findings.Cuts.Length];
        Array.Fill(boxes, (int.MaxValue, int.MaxValue, int.MaxValue, -1, -1, -1));
        for (var v = 0; v < labels.Length; v++)
        {
            if (labels[v] == 0 || !findings.HasCore[labels[v]])
                continue;
            int i = v % nx, j = v / nx % ny, k = v / (nx * ny);
            var b = boxes[labels[v]];
            boxes[labels[v]] = (Math.Min(b.X0, i), Math.Min(b.Y0, j), Math.Min(b.Z0, k), Math.Max(b.X1, i), Math.Max(b.Y1, j), Math.Max(b.Z1, k));
        }
        var spacing = raw.Spacing;
        int Pad(double mm) => (int)Math.Ceiling(ShellOuterMm / mm) + 1;
        for (var label = 1; label < findings.Cuts.Length; label++)
        {
            if (!findings.HasCore[label])
                continue;
            var b = boxes[label];
            int x0 = Math.Max(0, b.X0 - Pad(spacing.X)), y0 = Math.Max(0, b.Y0 - Pad(spacing.Y)), z0 = Math.Max(0, b.Z0 - Pad(spacing.Z));
            int x1 = Math.Min(nx - 1, b.X1 + Pad(spacing.X)), y1 = Math.Min(ny - 1, b.Y1 + Pad(spacing.Y)), z1 = Math.Min(nz - 1, b.Z1 + Pad(spacing.Z));
            int bx = x1 - x0 + 1, by = y1 - y0 + 1, bz = z1 - z0 + 1;
            int Global(int local) => x0 + local % bx + nx * (y0 + local / bx % by + ny * (z0 + local / (bx * by)));
            var inFinding = new byte[bx * by * bz];
            var keptHere = new byte[inFinding.Length];
            var coreValues = new List<float>();
            for (var local = 0; local < inFinding.Length; local++)
            {
                var v = Global(local);
                if (labels[v] != label)
                    continue;
                inFinding[local] = 1;
                keptHere[local] = kept[v];
                // A finding with a core: the core cut kept its core.
                if (kept[v] != 0)
                    coreValues.Add(image.Data[v]);
            }
            var fromFinding = DistanceTransform.Euclidean(inFinding, bx, by, bz, spacing);
            var shellValues = new List<float>();
            for (var local = 0; local < inFinding.Length; local++)
            {
                var v = Global(local);
                if (mask.Data[v] != 0 && flagged[v] == 0 && fromFinding[local] > ShellInnerMm && fromFinding[local] <= ShellOuterMm)
                    shellValues.Add(image.Data[v]);
            }
            if (shellValues.Count < MinShellVoxels)
                continue;
            var coreMedian = Median(coreValues);
            var shellMedian = Median(shellValues);
            var shellSd = 1.4826 * Median(shellValues.Select(x => (float)Math.Abs(x - shellMedian)).ToList());
            var contrast = coreMedian - shellMedian;
            if (Math.Abs(contrast) < MinContrastSd * shellSd || contrast == 0)
                continue;
            var midpoint = shellMedian + 0.5 * contrast;
            var fromCoreCut = DistanceTransform.Euclidean(keptHere, bx, by, bz, spacing);
            for (var local = 0; local < inFinding.Length; local++)
            {
                if (inFinding[local] == 0)
                    continue;
                var v = Global(local);
                var coreSide = Math.Sign(contrast) * (image.Data[v] - midpoint) >= 0;
                kept[v] = (byte)(coreSide && fromCoreCut[local] <= reachMm && raw.Data[v] >= findings.Cuts[label] ? 1 : 0);
            }
        }
    }

    private static double Median(List<float> values)
    {
        values.Sort();
        return VoxelCalibration.Quantile(CollectionsMarshal.AsSpan(values), 0.5);
    }
}
