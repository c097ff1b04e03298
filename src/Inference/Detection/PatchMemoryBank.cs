using System.Numerics.Tensors;

namespace Zsad.Inference.Detection;

/// <summary>Patch features of normal slices, searched position-aware: a query patch is compared only with bank
/// patches from slices at a similar brain height and within a few grid cells of its own place. That keeps normal
/// anatomy that merely looks unusual (ventricles, sinuses) from matching only elsewhere, and keeps the search small.</summary>
public sealed class PatchMemoryBank
{
    private readonly List<(int Volume, SliceFeatures Slice)> _slices = [];

    public int SliceCount => _slices.Count;

    public int VolumeCount => _slices.Select(s => s.Volume).Distinct().Count();

    public long PatchCount => (long)_slices.Count * SliceFeatures.Grid * SliceFeatures.Grid;

    public IEnumerable<SliceFeatures> Slices => _slices.Select(s => s.Slice);

    /// <summary>The slices with the index of the normal volume each came from (what a bundle stores).</summary>
    public IReadOnlyList<(int Volume, SliceFeatures Slice)> Entries => _slices;

    public void Add(int volume, SliceFeatures slice) => _slices.Add((volume, slice));

    /// <summary>Nearest-neighbour distance of every patch of <paramref name="query"/> (Grid x Grid values);
    /// bank slices of <paramref name="excludeVolume"/> are skipped (held-out calibration).</summary>
    public float[] MinDistances(SliceFeatures query, double heightWindow, int radius, int excludeVolume = -1)
    {
        const int g = SliceFeatures.Grid, d = SliceFeatures.Dim;
        var candidates = _slices.Where(s => s.Volume != excludeVolume && Math.Abs(s.Slice.Height - query.Height) <= heightWindow)
            .Select(s => s.Slice.Features).ToArray();
        if (candidates.Length == 0)
        {
            // No bank slice that high: widen to the nearest slices rather than give no answer.
            candidates = _slices.Where(s => s.Volume != excludeVolume)
                .OrderBy(s => Math.Abs(s.Slice.Height - query.Height)).Take(4).Select(s => s.Slice.Features).ToArray();
        }
        if (candidates.Length == 0)
            throw new InvalidOperationException("the memory bank holds no slices to compare with");
        var result = new float[g * g];
        Parallel.For(0, g, gy =>
        {
            for (var gx = 0; gx < g; gx++)
            {
                var p = gy * g + gx;
                var q = query.Features.AsSpan(p * d, d);
                var best = float.MaxValue;
                foreach (var c in candidates)
                {
                    for (var y = Math.Max(0, gy - radius); y <= Math.Min(g - 1, gy + radius); y++)
                    {
                        for (var x = Math.Max(0, gx - radius); x <= Math.Min(g - 1, gx + radius); x++)
                        {
                            var dist = TensorPrimitives.Distance(q, c.AsSpan((y * g + x) * d, d));
                            if (dist < best)
                                best = dist;
                        }
                    }
                }
                result[p] = best;
            }
        });
        return result;
    }
}
