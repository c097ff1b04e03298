using System.Numerics;
using System.Runtime.InteropServices;

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
    public float[] MinDistances(SliceFeatures query, double heightWindow, int radius, int excludeVolume = -1) =>
        Search(query.Features, Candidates(query, heightWindow, excludeVolume).Select(s => s.Features).ToArray(), SliceFeatures.Grid, SliceFeatures.Dim, radius);

    /// <summary>The same search on the stride-4 fine descriptors (FineGrid x FineGrid values); <paramref name="radius"/>
    /// in fine cells.</summary>
    public float[] MinFineDistances(SliceFeatures query, double heightWindow, int radius, int excludeVolume = -1)
    {
        var fine = query.Fine ?? throw new ArgumentException("the query slice has no fine descriptors", nameof(query));
        var candidates = Candidates(query, heightWindow, excludeVolume)
            .Select(s => s.Fine ?? throw new InvalidOperationException("the memory bank holds slices without fine descriptors")).ToArray();
        return Search(fine, candidates, SliceFeatures.FineGrid, SliceFeatures.FineDim, radius);
    }

    private IEnumerable<SliceFeatures> Candidates(SliceFeatures query, double heightWindow, int excludeVolume)
    {
        var candidates = _slices.Where(s => s.Volume != excludeVolume && Math.Abs(s.Slice.Height - query.Height) <= heightWindow)
            .Select(s => s.Slice).ToArray();
        if (candidates.Length == 0)
        {
            // No bank slice that high: widen to the nearest slices rather than give no answer.
            candidates = _slices.Where(s => s.Volume != excludeVolume)
                .OrderBy(s => Math.Abs(s.Slice.Height - query.Height)).Take(4).Select(s => s.Slice).ToArray();
        }
        if (candidates.Length == 0)
            throw new InvalidOperationException("the memory bank holds no slices to compare with");
        return candidates;
    }

    private static float[] Search(float[] query, float[][] candidates, int g, int d, int radius)
    {
        var result = new float[g * g];
        Parallel.For(0, g, gy =>
        {
            for (var gx = 0; gx < g; gx++)
            {
                var p = gy * g + gx;
                var q = query.AsSpan(p * d, d);
                // The candidates' own place first: normal anatomy usually matches there, and a close first match
                // lets the bounded distance stop early on most of the others.
                var best = float.MaxValue;
                foreach (var c in candidates)
                    best = Math.Min(best, SquaredDistance(q, c.AsSpan(p * d, d), best));
                foreach (var c in candidates)
                {
                    for (var y = Math.Max(0, gy - radius); y <= Math.Min(g - 1, gy + radius); y++)
                    {
                        for (var x = Math.Max(0, gx - radius); x <= Math.Min(g - 1, gx + radius); x++)
                        {
                            if (x == gx && y == gy)
                                continue;
                            var squared = SquaredDistance(q, c.AsSpan((y * g + x) * d, d), best);
                            if (squared < best)
                                best = squared;
                        }
                    }
                }
                result[p] = MathF.Sqrt(best);
            }
        });
        return result;
    }

    // The search's inner loop: called once per (patch, candidate place), on 64 or 256 floats. Squared distances keep
    // the square root out of it (one per patch at the end), and a plain SIMD loop avoids the per-call overhead of
    // TensorPrimitives.Distance, which is large next to so few elements. Most candidates are far from the patch: once
    // the running sum passes the best distance so far, the rest cannot bring it back under (every term is a square,
    // and rounding a sum of non-negative terms never lowers it), so the loop stops there. Distances that run to the
    // end are summed exactly as without the bound, so the nearest distance is the same to the bit.
    internal static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float bound = float.MaxValue)
    {
        if (b.Length != a.Length)
            throw new ArgumentException("descriptors of different lengths");
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var width = Vector<float>.Count;
        var block = 4 * width;
        var sum = Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - width; i += width)
        {
            var diff = Vector.LoadUnsafe(ref ra, (nuint)i) - Vector.LoadUnsafe(ref rb, (nuint)i);
            sum += diff * diff;
            if ((i + width) % block == 0 && i + width < a.Length && Vector.Sum(sum) > bound)
                return Vector.Sum(sum);
        }
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++)
            total += (a[i] - b[i]) * (a[i] - b[i]);
        return total;
    }
}
