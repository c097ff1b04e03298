
namespace Zsad.Imaging.Synthetic;

/// <summary>Inserts one irregular ellipsoidal lesion with a soft edge into a brain volume and returns its mask
/// (voxels where the lesion weight is at least one half).</summary>
public static class LesionInserter
{
    public static (Volume<float> Image, Volume<byte> Mask) Insert(Volume<float> volume, Volume<byte> brain, LesionKind kind, double radiusMm, int seed)
        => Insert(volume, brain, kind, radiusMm, seed, cortical: false, avoid: null);

    /// <param name="cortical">Place the lesion at the brain's outer edge (cortex next to the skull), cut by the brain
    /// mask, instead of entirely inside the brain.</param>
    /// <param name="avoid">Voxels where the lesion must not lie (lesions placed before in the same volume).</param>
    public static (Volume<float> Image, Volume<byte> Mask) Insert(Volume<float> volume, Volume<byte> brain, LesionKind kind, double radiusMm, int seed,
        bool cortical, Volume<byte>? avoid)
        => TryInsert(volume, brain, kind, radiusMm, seed, cortical, avoid) ?? throw new InvalidOperationException("no place in the brain fits a lesion of that size");

    /// <summary><see cref="Insert(Volume{float}, Volume{byte}, LesionKind, double, int, bool, Volume{byte})"/>, or null
    /// when no place in the brain fits the lesion.</summary>
    public static (Volume<float> Image, Volume<byte> Mask)? TryInsert(Volume<float> volume, Volume<byte> brain, LesionKind kind, double radiusMm, int seed,
        bool cortical, Volume<byte>? avoid)
    {
        var rng = new Random(seed);
        var sp = volume.Spacing;
        var brainValues = volume.Data.Where((_, i) => brain.Data[i] != 0).ToArray();
        Array.Sort(brainValues);
        float Q(double q) => brainValues[(int)(q * (brainValues.Length - 1))];
        double rx = radiusMm * (0.8 + 0.4 * rng.NextDouble()), ry = radiusMm * (0.8 + 0.4 * rng.NextDouble()), rz = radiusMm * (0.8 + 0.4 * rng.NextDouble());
        if (PickCentre(brain, rx / sp.X, ry / sp.Y, rz / sp.Z, rng, cortical, avoid) is not { } centre)
            return null;
        var (ci, cj, ck) = centre;
        var lobes = Enumerable.Range(0, 3).Select(_ => (A: 0.15 * rng.NextDouble(), Fx: rng.Next(1, 4), Fy: rng.Next(1, 4), P: rng.NextDouble() * 6.28)).ToArray();
        var target = kind switch
        {
            LesionKind.Bright => Q(0.995) * 1.25,
            LesionKind.Dark => Q(0.05) * 0.6,
            _ => 0,
        };
        var image = volume.Clone();
        var mask = volume.Like<byte>();
        var noise = new Random(seed + 17);
        int ri = (int)Math.Ceiling(1.5 * rx / sp.X), rj = (int)Math.Ceiling(1.5 * ry / sp.Y), rk = (int)Math.Ceiling(1.5 * rz / sp.Z);
        for (var k = Math.Max(0, ck - rk); k <= Math.Min(volume.SizeZ - 1, ck + rk); k++)
        for (var j = Math.Max(0, cj - rj); j <= Math.Min(volume.SizeY - 1, cj + rj); j++)
        for (var i = Math.Max(0, ci - ri); i <= Math.Min(volume.SizeX - 1, ci + ri); i++)
        {
            if (brain[i, j, k] == 0)
                continue;
            double dx = (i - ci) * sp.X / rx, dy = (j - cj) * sp.Y / ry, dz = (k - ck) * sp.Z / rz;
            var angle = Math.Atan2(dy, dx);
            var elevation = Math.Atan2(dz, Math.Sqrt(dx * dx + dy * dy));
            var edge = 1.0;
            foreach (var l in lobes)
                edge += l.A * Math.Sin(l.Fx * angle + l.P) * Math.Cos(l.Fy * elevation);
            var r = Math.Sqrt(dx * dx + dy * dy + dz * dz) / edge;
            var w = Math.Clamp((1.2 - r) / 0.4, 0, 1); // soft edge from r 0.8 to 1.2
            if (w <= 0)
                continue;
            w = w * w * (3 - 2 * w);
            var original = volume[i, j, k];
            var value = kind == LesionKind.Texture
                ? original * (1 + 0.35 * TemplateBrain.Gaussian(noise))
                : target * (1 + 0.08 * TemplateBrain.Gaussian(noise));
            image[i, j, k] = (float)Math.Max(original * (1 - w) + value * w, 1e-3);
            if (w >= 0.5)
                mask[i, j, k] = 1;
        }
        return (image, mask);
    }

    private static readonly (int, int, int)[] Axes = [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)];

    private static (int, int, int)? PickCentre(Volume<byte> brain, double ri, double rj, double rk, Random rng, bool cortical, Volume<byte>? avoid)
    {
        bool Brain(int i, int j, int k, double reach, (int A, int B, int C) d)
        {
            int x = i + (int)Math.Round(d.A * reach * ri), y = j + (int)Math.Round(d.B * reach * rj), z = k + (int)Math.Round(d.C * reach * rk);
            return (uint)x < brain.SizeX && (uint)y < brain.SizeY && (uint)z < brain.SizeZ && brain[x, y, z] != 0;
        }
        bool Free(int i, int j, int k)
        {
            if (avoid is null)
                return true;
            // Keep 1.6 radii (and a little) clear of earlier lesions, so every lesion stays its own component.
            for (var dk = -(int)Math.Ceiling(2 * rk); dk <= 2 * rk; dk++)
            for (var dj = -(int)Math.Ceiling(2 * rj); dj <= 2 * rj; dj++)
            for (var di = -(int)Math.Ceiling(2 * ri); di <= 2 * ri; di++)
            {
                int x = i + di, y = j + dj, z = k + dk;
                if ((uint)x < avoid.SizeX && (uint)y < avoid.SizeY && (uint)z < avoid.SizeZ && avoid[x, y, z] != 0)
                    return false;
            }
            return true;
        }
        // Inside: brain 1.6 radii out along every axis. Cortical: brain half a radius out along every axis, but the
        // outside of the brain within 1.2 radii in-plane (the lesion reaches the surface next to the skull).
        bool Fits(int i, int j, int k) => brain[i, j, k] != 0
            && (cortical
                ? Axes.All(d => Brain(i, j, k, 0.5, d)) && Axes.Take(4).Any(d => !Brain(i, j, k, 1.2, d))
                : Axes.All(d => Brain(i, j, k, 1.6, d)))
            && Free(i, j, k);
        for (var attempt = 0; attempt < 20000; attempt++)
        {
            var (i, j, k) = (rng.Next(brain.SizeX), rng.Next(brain.SizeY), rng.Next(brain.SizeZ));
            if (Fits(i, j, k))
                return (i, j, k);
        }
        // Sampling missed the few places that fit (a large lesion in a small or crowded brain): every voxel is tried,
        // and the seed picks among those that fit. Placements sampling finds are unchanged.
        var places = new List<(int, int, int)>();
        for (var k = 0; k < brain.SizeZ; k++)
        for (var j = 0; j < brain.SizeY; j++)
        for (var i = 0; i < brain.SizeX; i++)
            if (Fits(i, j, k))
                places.Add((i, j, k));
        return places.Count > 0 ? places[rng.Next(places.Count)] : null;
    }
}
