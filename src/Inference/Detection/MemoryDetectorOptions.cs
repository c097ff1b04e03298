namespace Zsad.Inference.Detection;

/// <summary>Settings of <see cref="ResNetMemoryDetector"/>. Defaults were chosen on the synthetic study's
/// normal references only (docs/detectors.md), never on its test volumes.</summary>
public sealed record MemoryDetectorOptions
{
    /// <summary>Half-width of the slice window searched in the bank, in normalised brain height (0..1). Heads lie
    /// pitched and warped differently, so one axial slice cuts the front of one brain higher than the back, and the
    /// anatomy a patch should meet may lie some millimetres above or below its own normalised height in every normal.
    /// 0.08 (about 11 mm in an adult brain) since issue 18: on held-out draw 10 the old 0.04 let two subjects' lower
    /// brains, cut lower in front than any normal, find no match; on the development studies and draw 8 the wider
    /// window raised F1-max or Dice (one volume with a single 3 mm lesion lost Dice) and on draw 8 found two more
    /// lesions of 7.5 mm, at twice the search time (docs/detectors.md). Bundles store the window they were built
    /// with.</summary>
    public double HeightWindow { get; init; } = 0.08;

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

    /// <summary>Weight of the fine detail: the standard score of the stride-4 stage-1 nearest-neighbour distance
    /// (<see cref="FineScale"/>) added to the coarse score on the stride-4 grid before the map is resized; 0 turns it
    /// off (the coarse grid alone, as bundles built before it). 1 was chosen on the development study (issue 18):
    /// the coarse stride-8 descriptor sees a lesion through a receptive field of tens of millimetres and paints a
    /// halo around it; the fine one sharpens the outline (docs/detectors.md).</summary>
    public double FineWeight { get; init; } = 1;

    /// <summary>Half-width of the in-plane window of the fine search, in stride-4 cells (4 px of the 224 input).</summary>
    public int FineRadius { get; init; } = 2;

    /// <summary>Weight of the voxel-scale term: the <see cref="IntensityTail"/> score (how rare the voxel's
    /// slice-standardised intensity is among the normals' brain voxels, in -log10 of a two-sided tail probability)
    /// added to each voxel's raw score after the patch map is pasted back; 0 turns it off (as bundles built before
    /// it). 1 was chosen on the development study (issue 18): the patch map marks a halo around a lesion, the
    /// intensity tail marks the lesion's own voxels (docs/detectors.md).</summary>
    public double IntensityWeight { get; init; } = 1;

    /// <summary>Weight of the per-place intensity range: how many slice standard deviations a voxel lies outside the
    /// range of the normals' intensities at its place (<see cref="IntensityRange"/>), added to its raw score like the
    /// intensity tail; 0 turns it off (as bundles built before it). 2 was chosen on the development study (issue 18):
    /// the position-free tail misses a dark lesion in white matter because ventricles are as dark, and the range at
    /// its place does not (docs/detectors.md).</summary>
    public double RangeWeight { get; init; } = 2;

    /// <summary>Weight of the per-place range of local roughness (<see cref="LocalRoughness"/>): how far a voxel's
    /// roughness lies outside the range of the normals' roughness at its place, in slice standard deviations, added to
    /// its raw score like the intensity range; 0 turns it off (as bundles built before it). A mottled lesion has the
    /// mean intensity of its tissue, so the intensity terms do not see it. 2 was chosen on the development studies
    /// (issue 18, docs/detectors.md): it raised Dice and found more lesions of 5-7.5 mm, at a small cost in F1-max.</summary>
    public double RoughnessWeight { get; init; } = 2;

    /// <summary>Weight of the per-place range of local blobness (<see cref="LocalBlobness"/>): how far a voxel's
    /// spot-likeness lies above the normals' at its place, added to its raw score like the roughness range; 0 turns it
    /// off (as bundles built before it). A dark lesion of 5 mm next to the ventricles or a sulcus is as dark as they are,
    /// so the intensity terms give it little; no normal has a spot there. 4 was chosen on the development studies and
    /// held-out draw 8 at 1 mm (issue 18, docs/detectors.md): it found 5 mm dark lesions that 0 missed, and 8 lowered
    /// Dice (a higher peak raises each finding's delineation cut).</summary>
    public double BlobWeight { get; init; } = 4;

    /// <summary>Ceiling of a voxel's patch score (coarse plus fine, in standard deviations of the position scale,
    /// after smoothing) before the intensity terms are added; 0 = no ceiling (bundles built before it, and raw
    /// distances without the position scale, whose units it does not fit). 5 was chosen on the development study
    /// (issue 18): the patch score stays high in a halo of normal tissue around a lesion; below the calibrated level a
    /// ceiling means a voxel is flagged only with some evidence of its own intensity, which the lesion's voxels have
    /// and the halo's do not (docs/detectors.md).</summary>
    public double PatchCap { get; init; } = 5;

    /// <summary>Gaussian sigma in millimetres along the axial slice axis of the raw score, inside the brain, before the
    /// calibration (which is computed on held-out normal maps smoothed the same way); 0 = off (as bundles built before
    /// it). The slices are scored one by one, so a voxel's score flickers between slices: a lesion is a blob and lasts
    /// over neighbouring slices, a false peak mostly does not. 1.5 was chosen on the development studies together
    /// with <see cref="DelineationFraction"/> (issue 18, docs/detectors.md): alone it raised F1-max but lowered the
    /// calibrated level, so the halo around lesions was flagged.</summary>
    public double SliceAxisSigmaMm { get; init; } = 1.5;

    /// <summary>Each finding (26-connected voxels at or above the calibrated level) keeps only its voxels at or above
    /// median + this fraction of (its peak - median); the others drop to just under the level
    /// (<see cref="FindingDelineation"/>); 0 = off (as bundles built before it). Needs the voxel calibration. 0.5 was
    /// chosen on the development studies with the slice-axis smoothing (issue 18, docs/detectors.md).</summary>
    public double DelineationFraction { get; init; } = 0.5;

    /// <summary>Each finding keeps only its core: the voxels whose voxel-scale score (intensity tail plus intensity,
    /// roughness and blobness ranges, smoothed along the slice axis as the map is) reaches this quantile of the held-out normals'
    /// voxel-scale scores, the <see cref="ResNetMemoryDetector.CoreLevel"/>; a finding with no such voxel keeps all of
    /// its voxels (<see cref="FindingDelineation"/>); 0 = off (as bundles built before it). Needs the voxel calibration
    /// and a voxel-scale term. The patch score is capped near the calibrated level, so in a halo of normal tissue
    /// around a lesion the level is crossed by the patch score and a small voxel-scale score; the lesion's own voxels
    /// stand out in the voxel-scale score, the halo's do not. 0.9 was chosen on the development studies; on held-out
    /// draws 3, 5 and 6 it adds 0.028 Dice on average at 1 mm (-0.022 to +0.088), on draws 2-6 at 2 mm nothing
    /// (issue 18, docs/detectors.md).</summary>
    public double CoreQuantile { get; init; } = 0.9;

    /// <summary>A finding whose core contrasts in intensity with the tissue around it is outlined by its half-contrast
    /// edge: it keeps the voxels on the core's side of the midpoint between the two intensities, within this many mm
    /// of the core cut's voxels (<see cref="FindingDelineation"/>). A blurred lesion edge lies inside the normal
    /// intensity range, so the core cut alone drops it, and keeps halo voxels whose voxel-scale score reaches the core
    /// level next to the lesion. 0 = the core cut alone (as bundles built before it). Needs the core cut. 2 mm, about the width of a
    /// partial-volume edge, was tried on the development studies and the used held-out draws 8, 10 and 11, where it
    /// raised F1-max and Dice on every one (issue 18, docs/detectors.md).</summary>
    public double EdgeReachMm { get; init; } = 2;

    /// <summary>The brain mask loses its dark partial-volume rim before anything is banked, calibrated or scored: voxels
    /// within this many mm of its edge that are darker than its 1st percentile (<see cref="BrainMask.WithoutDarkRim"/>),
    /// in the normals and in every scored volume. 0 = the mask as given (as bundles built before it). Those voxels,
    /// part background, were the most common false findings far from any lesion and set the calibrated level; with
    /// them left out, F1-max and Dice rose on five of the six used settings at 1 mm (on average +0.025 and +0.021;
    /// issue 18, docs/detectors.md).</summary>
    public double DarkRimMm { get; init; } = 2;

    /// <summary>Refuses a dark rim that is negative or not finite.</summary>
    public static void CheckDarkRim(double rimMm)
    {
        if (!(rimMm >= 0) || !double.IsFinite(rimMm))
            throw new ArgumentException($"the dark rim must be a finite number of mm, 0 (off) or more, not {rimMm.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    /// <summary>When set, a scan keeps only the findings heavier than the calibration's finding-mass level (<see
    /// cref="FindingMass"/>), set on the held-out normals so that this many false findings per healthy scan pass (0:
    /// none of theirs, the level is their heaviest finding). The faint findings the calibrated level leaves in healthy
    /// brains (about 140 voxels of one at 1 mm) go, and so do lesions seen only faintly or only by a few voxels: on
    /// the studies of issue 18 it raised Dice and lost one to four lesions of 5 mm or more per draw, so it is off by
    /// default (null: every finding is kept; docs/detectors.md, "The finding-mass cut, and held-out draw 14"). Needs
    /// the slice-axis smoothing (the calibration's whole held-out maps).</summary>
    public double? FalseFindingsPerScan { get; init; }

    /// <summary>Share of healthy brain voxels (held-out normals) allowed at or above the map's 0.5 decision level.</summary>
    public double FalsePositiveRate { get; init; } = VoxelCalibration.DefaultFalsePositiveRate;
}
