using System.Runtime.InteropServices;
using Zsad.Imaging.Filters;

namespace Zsad.Reporter.Metrics;

/// <summary>Lesion-wise detection in one scan: truth lesions are 3D connected components of the truth mask; a lesion
/// is detected when any predicted voxel overlaps it; a false positive is a predicted component that overlaps no
/// truth voxel at all.</summary>
/// <param name="Lesions">Truth components.</param>
/// <param name="Detected">Truth components with at least one predicted voxel.</param>
/// <param name="FalsePositives">Predicted components that touch no truth voxel.</param>
public readonly record struct LesionDetection(int Lesions, int Detected, int FalsePositives)
{
    /// <summary>Detected / Lesions; NaN for a scan without lesions.</summary>
    public double Sensitivity => Lesions == 0 ? double.NaN : (double)Detected / Lesions;

    /// <summary>26-connectivity by default: a lesion touching itself at an edge or corner stays one lesion, as in
    /// scipy.ndimage.label with a full 3x3x3 structure (the BraTS lesion-wise convention).</summary>
    public static LesionDetection Evaluate(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth, VolumeShape shape,
        Connectivity connectivity = Connectivity.Full26)
    {
        shape.Check(prediction.Length, "prediction");
        shape.Check(truth.Length, "truth");
        var truthLabels = ConnectedComponents.Label(MemoryMarshal.AsBytes(truth), shape.Width, shape.Height, shape.Depth, connectivity, out var truthSizes);
        var predictedLabels = ConnectedComponents.Label(MemoryMarshal.AsBytes(prediction), shape.Width, shape.Height, shape.Depth, connectivity, out var predictedSizes);
        var lesions = truthSizes.Length - 1;
        var components = predictedSizes.Length - 1;
        var detected = new bool[lesions + 1];
        var touchesTruth = new bool[components + 1];
        for (var i = 0; i < truth.Length; i++)
        {
            if (truthLabels[i] != 0 && predictedLabels[i] != 0)
            {
                detected[truthLabels[i]] = true;
                touchesTruth[predictedLabels[i]] = true;
            }
        }
        return new LesionDetection(lesions, detected.Count(x => x), components - touchesTruth.Count(x => x));
    }
}
