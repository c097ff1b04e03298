namespace Zsad.Imaging.Synthetic;

/// <summary>Makes small BraTS-like studies without any download: an ellipsoidal brain (skull-stripped, so the
/// background is 0) with t2w-like contrast — bright CSF in ventricles and a rim, grey and white matter with smooth
/// texture and noise — and hyperintense lesions of irregular outline whose masks are known exactly.
/// It is a phantom for exercising the pipeline end to end, not a model of real anatomy: detection numbers on it
/// say nothing about performance on patients.</summary>
public static class SyntheticBrainStudy
{
    private const short Csf = 2000, Grey = 1200, White = 850, Lesion = 1750;

    /// <param name="size">In-plane matrix (voxels of 1 mm).</param>
    /// <param name="slices">Axial slices (2 mm apart).</param>
    public static SyntheticStudy Create(string id, int seed, int size = 96, int slices = 40, int lesionCount = 2)
    {
        if (size < 32 || slices < 8)
            throw new ArgumentOutOfRangeException(nameof(size), "a synthetic brain needs at least 32x32x8 voxels");
        var rng = new Random(seed);
        const double sliceMm = 2.0;
        // LPS, axial: i runs to the patient's left, j to posterior, k to superior; the origin centres the volume.
        var affine = Affine.FromColumns(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, sliceMm),
            new Vec3(-(size - 1) / 2.0, -(size - 1) / 2.0, -(slices - 1) * sliceMm / 2.0));
        var image = new Volume<short>(size, size, slices, affine);
        var mask = new Volume<byte>(size, size, slices, affine);

        // Brain half-axes in mm, slightly different per subject.
        var ax = size * (0.40 + 0.04 * rng.NextDouble());
        var ay = size * (0.45 + 0.04 * rng.NextDouble());
        var az = slices * sliceMm * (0.45 + 0.04 * rng.NextDouble());
        var phase = rng.NextDouble() * Math.PI * 2;
        var centre = new Vec3((size - 1) / 2.0, (size - 1) / 2.0, (slices - 1) / 2.0);

        var lesions = new List<SyntheticLesion>();
        for (var n = 0; n < lesionCount; n++)
        {
            // Inside the brain, away from its edge: a point at most 55% of the way out along each half-axis.
            var dir = new Vec3(rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1);
            var c = centre + new Vec3(dir.X * ax * 0.55, dir.Y * ay * 0.55, dir.Z * az * 0.55 / sliceMm);
            lesions.Add(new SyntheticLesion(c, 3.5 + rng.NextDouble() * 6.5));
        }

        for (var k = 0; k < slices; k++)
            for (var j = 0; j < size; j++)
                for (var i = 0; i < size; i++)
                {
                    var x = i - centre.X;
                    var y = j - centre.Y;
                    var z = (k - centre.Z) * sliceMm;
                    var r = Math.Sqrt(x * x / (ax * ax) + y * y / (ay * ay) + z * z / (az * az));
                    if (r >= 1)
                        continue;
                    double value;
                    var ventricle = Math.Sqrt(x * x / (ax * ax * 0.02) + (y + ay * 0.1) * (y + ay * 0.1) / (ay * ay * 0.09) + z * z / (az * az * 0.05));
                    if (r > 0.93 || ventricle < 1)
                        value = Csf;
                    else
                    {
                        // Cortex-like grey shell with a wavy inner border, white matter inside.
                        var wave = 0.04 * Math.Sin(8 * Math.Atan2(y, x) + phase) * Math.Cos(z / 6);
                        value = r > 0.78 + wave ? Grey : White;
                        value += 60 * Math.Sin(x / 5.0 + phase) * Math.Cos(y / 7.0) + 40 * Math.Sin(z / 4.0);
                    }
                    foreach (var lesion in lesions)
                    {
                        var d = new Vec3(i - lesion.CenterVoxel.X, j - lesion.CenterVoxel.Y, (k - lesion.CenterVoxel.Z) * sliceMm);
                        var dist = Math.Sqrt(d.X * d.X + d.Y * d.Y + d.Z * d.Z);
                        var edge = lesion.RadiusMm * (1 + 0.18 * Math.Sin(3 * Math.Atan2(d.Y, d.X) + lesion.RadiusMm));
                        if (dist <= edge)
                        {
                            value = Lesion - 250 * (dist / edge) * (dist / edge); // brighter core, dimmer edge
                            mask[i, j, k] = 1;
                        }
                    }
                    value += TemplateBrain.Gaussian(rng) * 35;
                    image[i, j, k] = (short)Math.Clamp(Math.Round(value), 1, short.MaxValue); // brain voxels stay non-zero
                }
        return new SyntheticStudy(id, image, mask, lesions);
    }
}
