using Zsad.Imaging;

namespace Zsad.Inference.Detection;

/// <param name="Map">Float map on the input's grid, in [0, 1]; 0.5 is the detector's calibrated decision level.</param>
/// <param name="ImageScore">One number per volume in [0, 1] (the detector's image-score rule).</param>
/// <param name="ImagePValue">The volume's p-value against held-out normal volumes (<see cref="VoxelCalibration.PValue"/>);
/// null when the detector has no image-level calibration.</param>
public sealed record AnomalyResult(Volume<float> Map, double ImageScore, double? ImagePValue = null);
