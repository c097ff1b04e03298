using Zsad.Imaging.Filters;

namespace Zsad.Reporter.Segmentation;

/// <summary>Drops 3D connected components below a size: isolated specks of a thresholded anomaly map are noise far
/// more often than lesions, and each one would be a false positive for the reader.</summary>
public static class ComponentFilter
{
    /// <summary>Clears, in place, the components of fewer than <paramref name="minimumVoxels"/> voxels; returns how
    /// many components remain and how many were removed.</summary>
    public static (int Kept, int Removed) RemoveSmall(Span<byte> mask, int sizeX, int sizeY, int sizeZ, long minimumVoxels, Connectivity connectivity)
    {
        var labels = ConnectedComponents.Label(mask, sizeX, sizeY, sizeZ, connectivity, out var sizes);
        var removed = 0;
        for (var l = 1; l < sizes.Length; l++)
            if (sizes[l] < minimumVoxels)
                removed++;
        if (removed > 0)
            for (var v = 0; v < mask.Length; v++)
                if (labels[v] != 0 && sizes[labels[v]] < minimumVoxels)
                    mask[v] = 0;
        return (sizes.Length - 1 - removed, removed);
    }
}
