using Zsad.Imaging;

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
        var (nx, ny, nz) = (raw.SizeX, raw.SizeY, raw.SizeZ);
        var data = raw.Data;
        var below = (float)(level - 1e-4 * (level - median));
        bool Flagged(int v) => mask.Data[v] != 0 && data[v] >= level;
        var seen = new bool[data.Length];
        var queue = new Queue<int>();
        var finding = new List<int>();
        var lowered = 0;
        for (var start = 0; start < data.Length; start++)
        {
            if (seen[start] || !Flagged(start))
                continue;
            finding.Clear();
            seen[start] = true;
            queue.Enqueue(start);
            var peak = data[start];
            while (queue.Count > 0)
            {
                var v = queue.Dequeue();
                finding.Add(v);
                peak = Math.Max(peak, data[v]);
                int x = v % nx, y = v / nx % ny, z = v / (nx * ny);
                for (var zz = Math.Max(0, z - 1); zz <= Math.Min(nz - 1, z + 1); zz++)
                    for (var yy = Math.Max(0, y - 1); yy <= Math.Min(ny - 1, y + 1); yy++)
                        for (var xx = Math.Max(0, x - 1); xx <= Math.Min(nx - 1, x + 1); xx++)
                        {
                            var w = (zz * ny + yy) * nx + xx;
                            if (!seen[w] && Flagged(w))
                            {
                                seen[w] = true;
                                queue.Enqueue(w);
                            }
                        }
            }
            var cut = median + fraction * (peak - median);
            foreach (var v in finding)
            {
                if (data[v] >= cut)
                    continue;
                data[v] = below;
                lowered++;
            }
        }
        return lowered;
    }
}
