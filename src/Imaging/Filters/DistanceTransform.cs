namespace Zsad.Imaging.Filters;

/// <summary>Exact Euclidean distance transform of binary masks stored x fastest (index = i + sizeX * (j + sizeY * k)),
/// in millimetres on an anisotropic grid: one pass per axis of the lower envelope of parabolas (Felzenszwalb and
/// Huttenlocher 2012, "Distance transforms of sampled functions"), so the cost is linear in the voxel count.</summary>
public static class DistanceTransform
{
    /// <summary>For every voxel, the distance in mm to the nearest non-zero voxel of <paramref name="mask"/> (0 on the
    /// mask itself; positive infinity everywhere when the mask is empty).</summary>
    public static float[] Euclidean(ReadOnlySpan<byte> mask, int sizeX, int sizeY, int sizeZ, Vec3 spacing)
    {
        if ((long)sizeX * sizeY * sizeZ != mask.Length)
            throw new ArgumentException($"mask holds {mask.Length} voxels; {sizeX}x{sizeY}x{sizeZ} needs {(long)sizeX * sizeY * sizeZ}");
        if (!(spacing.X > 0 && spacing.Y > 0 && spacing.Z > 0) || !double.IsFinite(spacing.X + spacing.Y + spacing.Z))
            throw new ArgumentException($"the voxel spacing {spacing} must be finite and above 0 along every axis", nameof(spacing));
        // Squared distances, in double: a voxel far from the mask squares large numbers of mm.
        var squared = new double[mask.Length];
        for (var v = 0; v < mask.Length; v++)
            squared[v] = mask[v] != 0 ? 0 : double.PositiveInfinity;
        var longest = Math.Max(sizeX, Math.Max(sizeY, sizeZ));
        var line = new double[longest];
        var result = new double[longest];
        var hull = new int[longest];
        var bounds = new double[longest + 1];
        foreach (var (stride, size, step, lines) in new[]
                 {
                     (1, sizeX, spacing.X, sizeY * sizeZ), (sizeX, sizeY, spacing.Y, sizeX * sizeZ), (sizeX * sizeY, sizeZ, spacing.Z, sizeX * sizeY),
                 })
        {
            for (var l = 0; l < lines; l++)
            {
                // The first voxel of line l: lines run along this axis, one for each position on the other two.
                var start = stride == 1 ? l * sizeX : stride == sizeX ? l % sizeX + l / sizeX * sizeX * sizeY : l;
                for (var n = 0; n < size; n++)
                    line[n] = squared[start + n * stride];
                LowerEnvelope(line.AsSpan(0, size), step, result, hull, bounds);
                for (var n = 0; n < size; n++)
                    squared[start + n * stride] = result[n];
            }
        }
        var distances = new float[mask.Length];
        for (var v = 0; v < mask.Length; v++)
            distances[v] = (float)Math.Sqrt(squared[v]);
        return distances;
    }

    /// <summary>result[q] = min over p of f[p] + (step (q - p))², for one line of samples <paramref name="step"/> mm
    /// apart; infinite samples take no part.</summary>
    private static void LowerEnvelope(ReadOnlySpan<double> f, double step, Span<double> result, Span<int> hull, Span<double> bounds)
    {
        var step2 = step * step;
        var count = 0;
        for (var q = 0; q < f.Length; q++)
        {
            if (double.IsPositiveInfinity(f[q]))
                continue;
            // Where the parabola at q overtakes the last one of the hull, in sample units.
            while (true)
            {
                if (count == 0)
                {
                    hull[0] = q;
                    bounds[0] = double.NegativeInfinity;
                    count = 1;
                    break;
                }
                var p = hull[count - 1];
                var crossing = ((f[q] / step2 + (double)q * q) - (f[p] / step2 + (double)p * p)) / (2.0 * (q - p));
                if (crossing <= bounds[count - 1])
                {
                    count--;
                    continue;
                }
                hull[count] = q;
                bounds[count] = crossing;
                count++;
                break;
            }
        }
        if (count == 0)
        {
            result[..f.Length].Fill(double.PositiveInfinity);
            return;
        }
        var k = 0;
        for (var q = 0; q < f.Length; q++)
        {
            while (k + 1 < count && bounds[k + 1] < q)
                k++;
            var d = (q - hull[k]) * step;
            result[q] = d * d + f[hull[k]];
        }
    }
}
