using Zsad.Dicom;

namespace Zsad.Reporter.Segmentation;

/// <summary>The SEG objects made from one map, and what they hold.</summary>
/// <param name="Binary">The BINARY SEG (always made).</param>
/// <param name="Fractional">The FRACTIONAL (PROBABILITY) SEG, when asked for.</param>
/// <param name="Mask">The thresholded, filtered mask on the series grid (i fastest, k = series slice).</param>
/// <param name="SegmentedVoxels">Voxels in <paramref name="Mask"/>.</param>
/// <param name="VoxelVolumeMm3">Volume of one voxel of the grid.</param>
/// <param name="Components">Connected components kept.</param>
/// <param name="ComponentsRemoved">Components below the minimum size.</param>
public sealed record MapSegmentationResult(
    DicomDataset Binary,
    DicomDataset? Fractional,
    byte[] Mask,
    long SegmentedVoxels,
    double VoxelVolumeMm3,
    int Components,
    int ComponentsRemoved,
    float MaximumScore)
{
    public double SegmentedVolumeMm3 => SegmentedVoxels * VoxelVolumeMm3;
}
