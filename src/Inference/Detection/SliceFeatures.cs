namespace Zsad.Inference.Detection;

/// <summary>Patch features of one axial slice on the stride-8 grid: Grid x Grid patches of Dim values each
/// (patch-major), with the slice's normalised brain height and which patches cover brain; and, when the detector
/// uses its fine detail, the stride-4 stage-1 descriptors (FineGrid x FineGrid patches of FineDim values) and which
/// of those cells cover brain.</summary>
public sealed record SliceFeatures(int Slice, double Height, float[] Features, bool[] Brain)
{
    public const int Grid = 28;
    public const int Dim = 256;
    public const int FineGrid = 56;
    public const int FineDim = 64;

    /// <summary>Stage-1 descriptors, patch-major [FineGrid * FineGrid, FineDim]; null when the fine detail is off.</summary>
    public float[]? Fine { get; init; }

    /// <summary>Which stride-4 cells cover brain (only needed for calibration; null in a loaded bank).</summary>
    public bool[]? FineBrain { get; init; }
}
