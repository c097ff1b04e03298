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

    /// <summary>The mask without its dark partial-volume rim: the voxels within <paramref name="rimMm"/> of the
    /// mask's outside whose intensity lies below the <paramref name="quantile"/> quantile of the mask's voxels. A
    /// skull-stripped or resampled brain keeps a layer of voxels that are part background at its edge; they are
    /// darker than any brain tissue, and a detector that scores them as brain finds dark specks along the cortex.</summary>
    public static Volume<byte> WithoutDarkRim(Volume<byte> mask, Volume<float> volume, double rimMm, double quantile = DarkRimQuantile)
    {
        if (mask.SizeX != volume.SizeX || mask.SizeY != volume.SizeY || mask.SizeZ != volume.SizeZ)
            throw new ArgumentException($"the brain mask ({mask.SizeX}x{mask.SizeY}x{mask.SizeZ}) and the volume ({volume.SizeX}x{volume.SizeY}x{volume.SizeZ}) differ in size");
        if (!(rimMm > 0) || !double.IsFinite(rimMm))
            throw new ArgumentException($"the dark rim's depth must be a finite number of mm above 0, not {rimMm.ToString(System.Globalization.CultureInfo.InvariantCulture)}", nameof(rimMm));
        if (!(quantile > 0 && quantile < 1))
            throw new ArgumentException($"the dark rim's intensity quantile must lie between 0 and 1, not {quantile.ToString(System.Globalization.CultureInfo.InvariantCulture)}", nameof(quantile));
        var inside = new List<float>();
        var outside = new byte[mask.Data.Length];
        for (var v = 0; v < outside.Length; v++)
        {
            if (mask.Data[v] == 0)
                outside[v] = 1;
            else
                inside.Add(volume.Data[v]);
        }
        var result = mask.Clone();
        if (inside.Count == 0)
            return result;
        var dark = Filters.Otsu.Quantile(inside.ToArray(), quantile);
        var depth = DistanceTransform.Euclidean(outside, mask.SizeX, mask.SizeY, mask.SizeZ, mask.Spacing);
        for (var v = 0; v < outside.Length; v++)
            if (mask.Data[v] != 0 && depth[v] <= rimMm && volume.Data[v] < dark)
                result.Data[v] = 0;
        return result;
    }

    /// <summary>The intensity quantile of the brain below which a voxel at the brain's edge counts as partial
    /// background (<see cref="WithoutDarkRim"/>).</summary>
    public const double DarkRimQuantile = 0.01;
}
