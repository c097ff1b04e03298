using Zsad.Imaging.Nifti;

namespace Zsad.Imaging.Synthetic;

/// <summary>Synthetic subjects from one real brain MRI: Debian's mricron-data ch2bet.nii.gz (Colin27, 1 mm, MNI,
/// skull-stripped T1). Each <see cref="BrainTransform"/> yields a different deformation and contrast of the same
/// anatomy on the template's grid, with background kept exactly 0 so the brain mask stays the non-zero voxels.</summary>
public static class TemplateBrain
{
    public const string DefaultTemplatePath = "/usr/share/mricron/templates/ch2bet.nii.gz";

    public static Volume<float> LoadTemplate(string? path = null)
    {
        path ??= DefaultTemplatePath;
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: install the Debian package mricron-data", path);
        return NiftiReader.Read(path).ToSingle();
    }

    /// <summary>Block-averages by an integer factor (a smaller volume for quick tests); the affine follows.</summary>
    public static Volume<float> Downsample(Volume<float> v, int factor)
    {
        if (factor <= 1)
            return v;
        int nx = v.SizeX / factor, ny = v.SizeY / factor, nz = v.SizeZ / factor;
        var a = v.Affine;
        var origin = a.Transform((factor - 1) / 2.0, (factor - 1) / 2.0, (factor - 1) / 2.0);
        var affine = Affine.FromColumns(a.Column(0) * factor, a.Column(1) * factor, a.Column(2) * factor, origin);
        var result = new Volume<float>(nx, ny, nz, affine);
        for (var k = 0; k < nz; k++)
        for (var j = 0; j < ny; j++)
        for (var i = 0; i < nx; i++)
        {
            float s = 0;
            var zeros = 0;
            for (var dk = 0; dk < factor; dk++)
            for (var dj = 0; dj < factor; dj++)
            for (var di = 0; di < factor; di++)
            {
                var x = v[i * factor + di, j * factor + dj, k * factor + dk];
                s += x;
                zeros += x == 0 ? 1 : 0;
            }
            // Keep the brain edge crisp: a block that is mostly background stays background.
            result[i, j, k] = zeros * 2 > factor * factor * factor ? 0 : s / (factor * factor * factor);
        }
        return result;
    }

    public static Volume<float> Apply(Volume<float> source, BrainTransform t)
    {
        var rng = new Random(t.Seed);
        int nx = source.SizeX, ny = source.SizeY, nz = source.SizeZ;
        var spacing = source.Spacing;
        var waves = Enumerable.Range(0, 9).Select(_ => (Fx: 0.5 + rng.NextDouble(), Fy: 0.5 + rng.NextDouble(), Fz: 0.5 + rng.NextDouble(),
            Phase: rng.NextDouble() * 2 * Math.PI, Sign: rng.Next(2) == 0 ? -1 : 1)).ToArray();
        var bias = Enumerable.Range(0, 3).Select(_ => (Fx: rng.NextDouble(), Fy: rng.NextDouble(), Fz: rng.NextDouble(), Phase: rng.NextDouble() * 2 * Math.PI)).ToArray();
        var max = source.Data.Max();
        var result = source.Like<float>();
        double cx = (nx - 1) / 2.0, cy = (ny - 1) / 2.0, cz = (nz - 1) / 2.0;
        var noise = new Random(t.Seed * 7919 + 1);
        var d = new double[3];
        for (var k = 0; k < nz; k++)
        for (var j = 0; j < ny; j++)
        for (var i = 0; i < nx; i++)
        {
            double u = i / (double)nx, v = j / (double)ny, w = k / (double)nz;
            // Three displacement components, each a sum of three random low-frequency waves, in voxels.
            for (var c = 0; c < 3; c++)
            {
                double s = 0;
                for (var q = 0; q < 3; q++)
                {
                    var wave = waves[c * 3 + q];
                    s += wave.Sign * Math.Sin(2 * Math.PI * (wave.Fx * u + wave.Fy * v + wave.Fz * w) + wave.Phase);
                }
                d[c] = t.DeformMm / 3 * s / (c == 0 ? spacing.X : c == 1 ? spacing.Y : spacing.Z);
            }
            var si = cx + (i - cx) / t.Scale + d[0];
            var sj = cy + (j - cy) / t.Scale + d[1];
            var sk = cz + (k - cz) / t.Scale + d[2];
            if (t.FlipLeftRight)
                si = nx - 1 - si;
            var value = Trilinear(source, si, sj, sk);
            if (value <= 0)
                continue;
            double b = 0;
            foreach (var f in bias)
                b += Math.Sin(2 * Math.PI * (f.Fx * u + f.Fy * v + f.Fz * w) + f.Phase);
            var x = max * Math.Pow(value / max, t.Gamma) * (1 + t.BiasAmplitude * b / 3) + t.NoiseFraction * max * Gaussian(noise);
            result[i, j, k] = (float)Math.Max(x, 1e-3 * max);
        }
        return result;
    }

    internal static double Gaussian(Random rng)
        => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static float Trilinear(Volume<float> v, double x, double y, double z)
    {
        if (x < 0 || y < 0 || z < 0 || x > v.SizeX - 1 || y > v.SizeY - 1 || z > v.SizeZ - 1)
            return 0;
        int x0 = Math.Min((int)x, v.SizeX - 2), y0 = Math.Min((int)y, v.SizeY - 2), z0 = Math.Min((int)z, v.SizeZ - 2);
        double fx = x - x0, fy = y - y0, fz = z - z0;
        double c00 = v[x0, y0, z0] * (1 - fx) + v[x0 + 1, y0, z0] * fx;
        double c10 = v[x0, y0 + 1, z0] * (1 - fx) + v[x0 + 1, y0 + 1, z0] * fx;
        double c01 = v[x0, y0, z0 + 1] * (1 - fx) + v[x0 + 1, y0, z0 + 1] * fx;
        double c11 = v[x0, y0 + 1, z0 + 1] * (1 - fx) + v[x0 + 1, y0 + 1, z0 + 1] * fx;
        var value = ((c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz);
        // A sample that touches background is background: keeps the skull-stripped edge from smearing outward.
        if (v[x0, y0, z0] == 0 && v[x0 + 1, y0 + 1, z0 + 1] == 0)
            return 0;
        return (float)value;
    }
}
