namespace Zsad.Inference.Detection;

/// <summary>Settings of <see cref="ResNetMemoryDetector"/>. Defaults were chosen on the synthetic study's
/// normal references only (docs/detectors.md), never on its test volumes.</summary>
public sealed record MemoryDetectorOptions
{
    /// <summary>Half-width of the slice window searched in the bank, in normalised brain height (0..1).</summary>
    public double HeightWindow { get; init; } = 0.04;

    /// <summary>Half-width of the in-plane window searched, in stride-8 grid cells (8 px of the 224 input).</summary>
    public int PositionRadius { get; init; } = 2;

    /// <summary>Use every n-th brain slice of each normal volume for the bank (neighbouring slices are near copies).</summary>
    public int NormalSliceStep { get; init; } = 2;

    /// <summary>Gaussian sigma on the 224 x 224 map before it is pasted back, as PatchCore smooths.</summary>
    public double SmoothingSigma { get; init; } = 4;

    /// <summary>Display scale: a standardised intensity z becomes 128 + z * this (clamped to 0..255).</summary>
    public float GreyPerStd { get; init; } = 40;

    /// <summary>Average the stride-8 stage features over 3 x 3 cells before matching (local context). Off by default
    /// since issue 18: pooling dilutes a one-cell lesion ninefold; on the development study turning it off raised
    /// voxel AUROC, F1-max and Dice (docs/detectors.md). Bundles without the key were built pooled.</summary>
    public bool PoolStage2 { get; init; }

    /// <summary>Score a patch by its distance in standard deviations of the held-out normal distances at its place
    /// (<see cref="PositionStatistics"/>) rather than by the raw distance. Bundles without the statistics score raw.</summary>
    public bool PositionScale { get; init; } = true;

    /// <summary>Share of healthy brain voxels (held-out normals) allowed at or above the map's 0.5 decision level.</summary>
    public double FalsePositiveRate { get; init; } = VoxelCalibration.DefaultFalsePositiveRate;
}
