using Zsad.Imaging.Filters;

namespace Zsad.Imaging.Preprocessing;

/// <summary>Masks of the voxels that belong to the brain (or head), for statistics that must ignore the background.</summary>
public static class BrainMask
{
    /// <summary>Share of voxels that must be exactly 0 for <see cref="BrainMaskMethod.Auto"/> to treat the input as
    /// skull-stripped: raw MR background is noise and is almost never exactly 0.</summary>
    public const double SkullStrippedZeroFraction = 0.2;

    public static Volume<byte> Compute(Volume<float> volume, BrainMaskMethod method = BrainMaskMethod.Auto)
        => method switch
        {
            BrainMaskMethod.NonZero => NonZero(volume),
            BrainMaskMethod.Otsu => Otsu(volume),
            _ => LooksSkullStripped(volume) ? NonZero(volume) : Otsu(volume),
        };

    public static bool LooksSkullStripped(Volume<float> volume)
    {
        long zeros = 0;
        foreach (var v in volume.Data)
        {
            if (v < 0)
                return false; // standardised or phase data: 0 is not background there
            if (v == 0)
                zeros++;
        }
        return zeros >= SkullStrippedZeroFraction * volume.VoxelCount;
    }

    public static Volume<byte> NonZero(Volume<float> volume)
    {
        var mask = volume.Like<byte>();
        var src = volume.Data;
        var dst = mask.Data;
        for (var v = 0; v < src.Length; v++)
            dst[v] = (byte)(src[v] != 0 && !float.IsNaN(src[v]) ? 1 : 0);
        return mask;
    }

    /// <summary>Otsu on intensities clipped to the 99.5th percentile, then the largest 6-connected component with its
    /// enclosed holes (ventricles, dark lesions) filled.</summary>
    public static Volume<byte> Otsu(Volume<float> volume)
    {
        var data = volume.Data;
        var low = Filters.Otsu.Quantile(data, 0);
        var high = Filters.Otsu.Quantile(data, 0.995);
        if (double.IsNaN(low))
            return volume.Like<byte>();
        var threshold = Filters.Otsu.Threshold(data, low, high);
        var mask = volume.Like<byte>();
        for (var v = 0; v < data.Length; v++)
            mask.Data[v] = (byte)(data[v] >= threshold ? 1 : 0);
        return ConnectedComponents.FillHoles(ConnectedComponents.Largest(mask));
    }
}
