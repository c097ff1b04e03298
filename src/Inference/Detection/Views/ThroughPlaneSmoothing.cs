using System.Numerics.Tensors;
using Zsad.Imaging;

namespace Zsad.Inference.Detection.Views;

/// <summary>A 1D Gaussian across the axial slices of a map: slice-by-slice detectors score each slice alone, so a
/// lesion's map flickers from slice to slice; smoothing along the slice axis lets neighbouring slices vote. Same
/// kernel and edge rule as scipy.ndimage.gaussian_filter1d (truncate 4, mode 'reflect': d c b a | a b c d | d c b a).</summary>
public static class ThroughPlaneSmoothing
{
    public const double Truncate = 4;

    /// <summary>Normalised weights for offsets -r..r, r = floor(4 sigma + 0.5), as scipy computes them.</summary>
    public static float[] Kernel(double sigmaVoxels)
    {
        if (!(sigmaVoxels > 0) || !double.IsFinite(sigmaVoxels))
            throw new ArgumentOutOfRangeException(nameof(sigmaVoxels), $"sigma must be a positive number of voxels, not {sigmaVoxels}");
        var radius = (int)(Truncate * sigmaVoxels + 0.5);
        var weights = new double[2 * radius + 1];
        for (var k = -radius; k <= radius; k++)
            weights[k + radius] = Math.Exp(-0.5 * k * k / (sigmaVoxels * sigmaVoxels));
        var sum = weights.Sum();
        return weights.Select(w => (float)(w / sum)).ToArray();
    }

    /// <summary>Smooths <paramref name="map"/> in place along its axial slice axis with a sigma of
    /// <paramref name="sigmaMm"/> millimetres (divided by that axis's voxel spacing), then zeroes it outside the
    /// brain <paramref name="mask"/>, so smoothing never paints anomaly outside the brain.</summary>
    public static void Apply(Volume<float> map, Volume<byte> mask, double sigmaMm)
    {
        if (!map.HasSameGrid(mask))
            throw new ArgumentException("the brain mask is not on the map's grid", nameof(mask));
        SlicingOptions.CheckSigma(sigmaMm, "through-plane sigma");
        if (sigmaMm == 0)
            return;
        var axis = map.Slices(AnatomicalPlane.Axial).SliceAxis;
        AlongAxis(map, axis, sigmaMm / map.Spacing[axis]);
        var data = map.Data;
        for (var v = 0; v < data.Length; v++)
            if (mask.Data[v] == 0)
                data[v] = 0;
    }

    /// <summary>gaussian_filter1d(data, sigma, axis) in place, for index axis 0, 1 or 2.</summary>
    public static void AlongAxis(Volume<float> volume, int axis, double sigmaVoxels)
    {
        var kernel = Kernel(sigmaVoxels);
        var radius = kernel.Length / 2;
        var n = volume.Size(axis);
        long stride = axis switch { 0 => 1, 1 => volume.SizeX, 2 => (long)volume.SizeX * volume.SizeY, _ => throw new ArgumentOutOfRangeException(nameof(axis)) };
        var lineCount = volume.VoxelCount / n;
        var data = volume.Data;
        Parallel.For(0, lineCount, () => (Padded: new float[n + 2 * radius], Result: new float[n]), (line, _, buffers) =>
        {
            var start = LineStart(volume, axis, n, line);
            var (padded, result) = buffers;
            for (var p = 0; p < padded.Length; p++)
                padded[p] = data[start + Reflect(p - radius, n) * stride];
            result.AsSpan().Clear();
            for (var k = 0; k < kernel.Length; k++)
                TensorPrimitives.MultiplyAdd(padded.AsSpan(k, n), kernel[k], result, result);
            for (var i = 0; i < n; i++)
                data[start + i * stride] = result[i];
            return buffers;
        }, _ => { });
    }

    /// <summary>The Gaussian of <see cref="Apply"/> along the axial slice axis, averaged over brain voxels only
    /// (normalised convolution: sum of w v over brain neighbours / sum of their w), leaving voxels outside the brain
    /// as they are; NaN counts as outside. For raw detector scores before calibration: a lesion at the top or bottom
    /// of the brain is not pulled towards the 0 outside it, and nothing outside the brain leaks in.</summary>
    public static void WithinMask(Volume<float> volume, Volume<byte> mask, double sigmaMm)
    {
        if (!volume.HasSameGrid(mask))
            throw new ArgumentException("the brain mask is not on the volume's grid", nameof(mask));
        SlicingOptions.CheckSigma(sigmaMm, "slice-axis sigma");
        if (sigmaMm == 0)
            return;
        var axis = volume.Slices(AnatomicalPlane.Axial).SliceAxis;
        var kernel = Kernel(sigmaMm / volume.Spacing[axis]);
        var radius = kernel.Length / 2;
        var n = volume.Size(axis);
        long stride = axis switch { 0 => 1, 1 => volume.SizeX, _ => (long)volume.SizeX * volume.SizeY };
        var data = volume.Data;
        Parallel.For(0, volume.VoxelCount / n, () => (Values: new float[n], Inside: new bool[n]), (line, _, buffers) =>
        {
            var start = LineStart(volume, axis, n, line);
            var (values, inside) = buffers;
            for (var i = 0; i < n; i++)
            {
                values[i] = data[start + i * stride];
                inside[i] = mask.Data[start + i * stride] != 0 && !float.IsNaN(values[i]);
            }
            for (var i = 0; i < n; i++)
            {
                if (!inside[i])
                    continue;
                double sum = 0, weight = 0;
                for (var k = Math.Max(-radius, -i); k <= Math.Min(radius, n - 1 - i); k++)
                {
                    if (!inside[i + k])
                        continue;
                    sum += kernel[k + radius] * values[i + k];
                    weight += kernel[k + radius];
                }
                data[start + i * stride] = (float)(sum / weight);
            }
            return buffers;
        }, _ => { });
    }

    // The voxel with index 0 along the axis of the line-th line, enumerating the other two axes.
    private static long LineStart(Volume volume, int axis, int n, long line) => axis switch
    {
        0 => line * n,
        1 => line % volume.SizeX + line / volume.SizeX * volume.SizeX * n,
        _ => line,
    };

    // scipy's 'reflect' (half-sample symmetric), repeated for kernels longer than the line.
    private static long Reflect(int i, int n)
    {
        var period = 2 * n;
        var m = ((i % period) + period) % period;
        return m < n ? m : period - 1 - m;
    }
}
