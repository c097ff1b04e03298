using System.Text.Json.Serialization;

namespace Zsad.Inference.Bundles;

/// <summary>manifest.json of a detector bundle as written by the exporter (docs/bundle-format.md). Every member
/// is nullable here so that a missing key is reported by name by <see cref="BundleLoader"/>, not as a serializer
/// error.</summary>
public sealed class DetectorManifest
{
    [JsonPropertyName("schemaVersion")] public int? SchemaVersion { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("method")] public string? Method { get; set; }
    [JsonPropertyName("backbone")] public string? Backbone { get; set; }
    [JsonPropertyName("weights")] public string? Weights { get; set; }
    [JsonPropertyName("input")] public ManifestInput? Input { get; set; }
    [JsonPropertyName("embedDim")] public int? EmbedDim { get; set; }
    [JsonPropertyName("layers")] public List<ManifestLayer>? Layers { get; set; }
    [JsonPropertyName("globalOutput")] public string? GlobalOutput { get; set; }
    [JsonPropertyName("temperature")] public double? Temperature { get; set; }
    [JsonPropertyName("mapOrder")] public string? MapOrder { get; set; }
    [JsonPropertyName("upsampleAlignCorners")] public bool? UpsampleAlignCorners { get; set; }
    [JsonPropertyName("layerReduction")] public string? LayerReduction { get; set; }
    [JsonPropertyName("smoothingSigma")] public double? SmoothingSigma { get; set; }
    [JsonPropertyName("imageScore")] public string? ImageScore { get; set; }
    [JsonPropertyName("encoder")] public string? Encoder { get; set; }
    [JsonPropertyName("textFeatures")] public ManifestTensor? TextFeatures { get; set; }
    [JsonPropertyName("adapters")] public List<ManifestTensor>? Adapters { get; set; }
    [JsonPropertyName("memoryBank")] public ManifestTensor? MemoryBank { get; set; }
    /// <summary>Encoder output holding per-image text features [N, 2, D] (AdaCLIP: prompts depend on the image).</summary>
    [JsonPropertyName("textOutput")] public string? TextOutput { get; set; }
    /// <summary>Per-prompt text embeddings [P, D] (AnoVL's test-time adapter).</summary>
    [JsonPropertyName("promptEmbeddings")] public ManifestTensor? PromptEmbeddings { get; set; }
    [JsonPropertyName("testTimeAdapter")] public ManifestTestTimeAdapter? TestTimeAdapter { get; set; }
    [JsonPropertyName("windows")] public List<ManifestWindow>? Windows { get; set; }
    [JsonPropertyName("files")] public Dictionary<string, string>? Files { get; set; }

    /// <summary>Width of a memoryBank row when the method derives its patch features from the layers
    /// (feature-memory); the sum of the layer dims when absent.</summary>
    [JsonPropertyName("memoryRowWidth")] public int? MemoryRowWidth { get; set; }
    /// <summary>Where the memoryBank came from (`zsad models build-memory`).</summary>
    [JsonPropertyName("memorySource")] public MemorySource? MemorySource { get; set; }
    /// <summary>What the built-in ResNet18 memory detector needs besides the bank (method feature-memory).</summary>
    [JsonPropertyName("featureMemory")] public FeatureMemorySection? FeatureMemory { get; set; }
    /// <summary>Planes the slice pass runs along, maps averaged (default ["axial"]).</summary>
    [JsonPropertyName("views")] public List<string>? Views { get; set; }
    /// <summary>Gaussian sigma in mm across axial slices of the fused map (default 0 = none).</summary>
    [JsonPropertyName("throughPlaneSigma")] public double? ThroughPlaneSigma { get; set; }
}

public sealed class MemorySource
{
    [JsonPropertyName("volumes")] public int? Volumes { get; set; }
    [JsonPropertyName("slices")] public int? Slices { get; set; }
    [JsonPropertyName("sliceStep")] public int? SliceStep { get; set; }
    /// <summary>SHA-256 over the input files' own SHA-256s, in path order.</summary>
    [JsonPropertyName("sha256")] public string? Sha256 { get; set; }
    [JsonPropertyName("inputs")] public List<string>? Inputs { get; set; }
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; set; }
    [JsonPropertyName("sourceBundle")] public string? SourceBundle { get; set; }
}

public sealed class FeatureMemorySection
{
    /// <summary>[slices, 4 + grid²]: normal volume index, slice index, brain height as float32 high and low parts,
    /// then 1/0 per grid cell for brain; slice s owns memoryBank rows s·grid² .. (s+1)·grid² - 1, patch-major.</summary>
    [JsonPropertyName("slices")] public ManifestTensor? Slices { get; set; }
    /// <summary>The backbone's Caffe mean image [3, size, size].</summary>
    [JsonPropertyName("meanImage")] public ManifestTensor? MeanImage { get; set; }
    [JsonPropertyName("calibrationMedian")] public double? CalibrationMedian { get; set; }
    [JsonPropertyName("calibrationP999")] public double? CalibrationP999 { get; set; }
    [JsonPropertyName("heightWindow")] public double? HeightWindow { get; set; }
    [JsonPropertyName("positionRadius")] public int? PositionRadius { get; set; }
    [JsonPropertyName("greyPerStd")] public double? GreyPerStd { get; set; }
    /// <summary>Whether stage 2 is 3 x 3 average-pooled before matching; absent = true (bundles built before the key).</summary>
    [JsonPropertyName("poolStage2")] public bool? PoolStage2 { get; set; }
    /// <summary>Held-out voxel calibration (leave-one-out over the normals; absent in bundles built before it): the
    /// map's 0.5 is <see cref="VoxelThreshold"/>, the (1 - falsePositiveRate) quantile of held-out normal brain voxels.</summary>
    [JsonPropertyName("falsePositiveRate")] public double? FalsePositiveRate { get; set; }
    [JsonPropertyName("voxelMedian")] public double? VoxelMedian { get; set; }
    [JsonPropertyName("voxelThreshold")] public double? VoxelThreshold { get; set; }
    /// <summary>Raw voxel-score quantiles of the held-out normal brains.</summary>
    [JsonPropertyName("voxelQuantiles")] public List<ManifestQuantile>? VoxelQuantiles { get; set; }
    [JsonPropertyName("calibrationVoxels")] public long? CalibrationVoxels { get; set; }
    /// <summary>Raw image statistic of each held-out normal volume: the null distribution of the image p-value.</summary>
    [JsonPropertyName("normalImageStatistics")] public List<double>? NormalImageStatistics { get; set; }
    /// <summary>Which image statistic <see cref="NormalImageStatistics"/> holds: "sided-peak" (the larger of the bright
    /// and dark sides' peaks, each against the normals' median peak on that side), "peak" (the mean of the highest raw
    /// brain scores over 8 mm³); absent: their 99.99th percentile (bundles built before the peak).</summary>
    [JsonPropertyName("imageStatistic")] public string? ImageStatistic { get; set; }
    /// <summary>With "sided-peak": the normals' median peak over the brain voxels brighter than the brain's median
    /// intensity, and over the others (raw scores).</summary>
    [JsonPropertyName("brightPeakReference")] public double? BrightPeakReference { get; set; }
    [JsonPropertyName("darkPeakReference")] public double? DarkPeakReference { get; set; }
    /// <summary>Normals left out of the voxel level as unlike the others (<c>VoxelCalibration.FindUnlike</c>); they
    /// still count in <see cref="NormalImageStatistics"/>. Absent: none (and bundles built before it).</summary>
    [JsonPropertyName("unlikeNormals")] public List<ManifestUnlikeNormal>? UnlikeNormals { get; set; }
    /// <summary>The finding-mass cut: a scan keeps the findings heavier than <see cref="FindingMassLevel"/>, set on the
    /// held-out normals to let <see cref="FalseFindingsPerScan"/> false findings per healthy scan through
    /// (<c>FindingMass</c>). Both absent: every finding is kept (bundles built before it).</summary>
    [JsonPropertyName("findingMassLevel")] public double? FindingMassLevel { get; set; }
    [JsonPropertyName("falseFindingsPerScan")] public double? FalseFindingsPerScan { get; set; }
    /// <summary>[2, heightBins, grid²]: mean, then std, of held-out normal patch distances per brain-height bin and
    /// grid cell; a test distance is scored as (distance - mean) / std. Absent: raw distances (bundles built before).</summary>
    [JsonPropertyName("positionStatistics")] public ManifestTensor? PositionStatistics { get; set; }
    /// <summary>Fine detail (stage 1, stride 4): weight of its standard score in the map, search radius in fine
    /// cells, mean and std of the held-out fine distances, and the fine descriptors [slices · fineGrid², fineDim]
    /// (slice s owns rows s·fineGrid² ..). All absent: the coarse grid alone (bundles built before).</summary>
    [JsonPropertyName("fineWeight")] public double? FineWeight { get; set; }
    [JsonPropertyName("fineRadius")] public int? FineRadius { get; set; }
    [JsonPropertyName("fineMean")] public double? FineMean { get; set; }
    [JsonPropertyName("fineStd")] public double? FineStd { get; set; }
    [JsonPropertyName("fineBank")] public ManifestTensor? FineBank { get; set; }
    /// <summary>The voxel-scale term (<c>IntensityTail</c>). Absent: no intensity term (bundles built before it).</summary>
    [JsonPropertyName("intensityTail")] public IntensityTailSection? IntensityTail { get; set; }
    /// <summary>The per-place intensity range (<c>IntensityRange</c>): its weight in the raw map, and [2, heightBins,
    /// fineGrid²] lowest then highest slice-standardised normal intensity around each brain-height bin and stride-4
    /// cell of the crop square (NaN where no normal brain lies). Both absent: no range term (bundles built before it).</summary>
    [JsonPropertyName("rangeWeight")] public double? RangeWeight { get; set; }
    /// <summary>Ceiling of the position-scaled patch score before the intensity terms are added (standard deviations).
    /// Absent: no ceiling (bundles built before it).</summary>
    [JsonPropertyName("patchCap")] public double? PatchCap { get; set; }
    /// <summary>Gaussian sigma (mm) of the raw score along the axial slice axis, inside the brain, before calibration.
    /// Absent: no smoothing (bundles built before it).</summary>
    [JsonPropertyName("sliceAxisSigmaMm")] public double? SliceAxisSigmaMm { get; set; }
    /// <summary>Each finding keeps its voxels at or above median + this fraction of (its peak - median), in raw
    /// scores; absent: no delineation (bundles built before it).</summary>
    [JsonPropertyName("delineationFraction")] public double? DelineationFraction { get; set; }
    [JsonPropertyName("intensityRange")] public ManifestTensor? IntensityRange { get; set; }
    /// <summary>The per-place range of local roughness (<c>LocalRoughness</c>): its weight in the raw map, and [2,
    /// heightBins, fineGrid²] lowest then highest normal roughness around each place, as <see cref="IntensityRange"/>.
    /// Both absent: no roughness term (bundles built before it).</summary>
    [JsonPropertyName("roughnessWeight")] public double? RoughnessWeight { get; set; }
    [JsonPropertyName("roughnessRange")] public ManifestTensor? RoughnessRange { get; set; }
    /// <summary>The per-place range of local blobness (<c>LocalBlobness</c>): its weight in the raw map, and the same
    /// [2, heightBins, fineGrid²] table of the normals' blobness. Both absent: no blobness term (bundles built before
    /// it).</summary>
    [JsonPropertyName("blobWeight")] public double? BlobWeight { get; set; }
    [JsonPropertyName("blobRange")] public ManifestTensor? BlobRange { get; set; }

    /// <summary>The core cut of each finding (<c>FindingDelineation</c>): the quantile of the held-out normals'
    /// voxel-scale scores it was built with, and that score, in raw units. Both absent: no core cut (bundles built
    /// before it).</summary>
    [JsonPropertyName("coreQuantile")] public double? CoreQuantile { get; set; }
    [JsonPropertyName("coreLevel")] public double? CoreLevel { get; set; }
    /// <summary>How far (mm) beyond the core cut's voxels a finding whose core contrasts with the tissue around it
    /// follows its half-contrast edge (<c>FindingDelineation</c>). Absent: the core cut alone (bundles built before
    /// it); needs the core cut.</summary>
    [JsonPropertyName("edgeReachMm")] public double? EdgeReachMm { get; set; }
    /// <summary>How deep (mm) the dark partial-volume rim of the brain mask reaches that is left out of the normals
    /// and of every scored volume (<c>BrainMask.WithoutDarkRim</c>). Absent: the mask as given (bundles built before
    /// it).</summary>
    [JsonPropertyName("darkRimMm")] public double? DarkRimMm { get; set; }
}

/// <summary>How rare a slice-standardised intensity is among the normals' brain voxels: the values where the score
/// -log10(2 · tail + 1/voxels) reaches the levels 0, step, 2·step, … and, last, log10(voxels), on the dark side
/// (lower, non-increasing) and the bright side (upper, non-decreasing); weight: its share in the raw map.</summary>
public sealed class IntensityTailSection
{
    [JsonPropertyName("weight")] public double? Weight { get; set; }
    [JsonPropertyName("voxels")] public long? Voxels { get; set; }
    [JsonPropertyName("step")] public double? Step { get; set; }
    [JsonPropertyName("lower")] public List<float>? Lower { get; set; }
    [JsonPropertyName("upper")] public List<float>? Upper { get; set; }
}

/// <summary>A normal left out of the voxel level: its 0-based place among the normals (the order of
/// normalImageStatistics), and the share of its brain at or above the level the others set.</summary>
public sealed class ManifestUnlikeNormal
{
    [JsonPropertyName("index")] public int? Index { get; set; }
    [JsonPropertyName("shareFlagged")] public double? ShareFlagged { get; set; }
}

public sealed class ManifestQuantile
{
    [JsonPropertyName("level")] public double? Level { get; set; }
    [JsonPropertyName("value")] public double? Value { get; set; }
}

public sealed class ManifestInput
{
    [JsonPropertyName("size")] public int? Size { get; set; }
    [JsonPropertyName("resize")] public string? Resize { get; set; }
    [JsonPropertyName("alignCorners")] public bool? AlignCorners { get; set; }
    [JsonPropertyName("mean")] public List<double>? Mean { get; set; }
    [JsonPropertyName("std")] public List<double>? Std { get; set; }
}

public sealed class ManifestLayer
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("output")] public string? Output { get; set; }
    [JsonPropertyName("grid")] public int? Grid { get; set; }
    [JsonPropertyName("dim")] public int? Dim { get; set; }
}

/// <summary>A float32 little-endian tensor file with its shape.</summary>
public sealed class ManifestTensor
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("shape")] public List<int>? Shape { get; set; }
}

/// <summary>AnoVL's per-image test-time adapter: AdamW steps on a tanh text-embedding adapter.</summary>
public sealed class ManifestTestTimeAdapter
{
    [JsonPropertyName("steps")] public int? Steps { get; set; }
    [JsonPropertyName("lr")] public double? Lr { get; set; }
    [JsonPropertyName("noiseStd")] public double? NoiseStd { get; set; }
    [JsonPropertyName("weightDecay")] public double? WeightDecay { get; set; }
}
