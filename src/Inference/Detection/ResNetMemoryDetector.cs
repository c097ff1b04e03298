using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zsad.Imaging;
using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Backbones;
using Zsad.Inference.Detection.Views;
using Zsad.Inference.Engine;

namespace Zsad.Inference.Detection;

/// <summary>Few-shot feature-memory detector (PatchCore-style) on ImageNet ResNet18: stride-8 and stride-16 stage
/// features of normal slices form a position-aware memory bank; a test patch scores its nearest-neighbour distance,
/// scaled per place by held-out normal distances, plus the scaled distance of the stride-4 stage-1 descriptors (the
/// fine detail), plus per voxel how rare its own intensity is in normal brain (<see cref="IntensityTail"/>) and how
/// far outside the normals' intensities, roughness and blobness at its place it lies (<see cref="IntensityRange"/>,
/// <see cref="LocalRoughness"/>, <see cref="LocalBlobness"/>); calibrated on held-out normal volumes so that 0.5 flags a stated share of healthy
/// voxels.</summary>
public sealed class ResNetMemoryDetector : IAnomalyDetector, IDisposable
{
    public const string DetectorName = "resnet18-memory";
    private const int S = ResNet18Backbone.InputSize;

    private readonly ResNet18Backbone _backbone;
    private readonly bool _ownsBackbone;
    private readonly PatchMemoryBank _bank;

    private ResNetMemoryDetector(ResNet18Backbone backbone, bool ownsBackbone, MemoryDetectorOptions options, PatchMemoryBank bank)
    {
        _backbone = backbone;
        _ownsBackbone = ownsBackbone;
        Options = options;
        _bank = bank;
    }

    /// <summary>A detector from a bank and calibration built earlier (a feature-memory bundle): no normals, no
    /// feature extraction at start.</summary>
    public static ResNetMemoryDetector FromBank(ResNet18Backbone backbone, bool ownsBackbone, PatchMemoryBank bank, DistanceCalibration calibration, MemoryDetectorOptions options,
        VoxelCalibration? voxel = null, PositionStatistics? positions = null, FineScale? fine = null, IntensityTail? intensity = null, IntensityRange? range = null,
        IntensityRange? roughness = null, IntensityRange? blob = null, double? coreLevel = null)
    {
        if (bank.SliceCount == 0)
            throw new ArgumentException("the memory bank holds no slices", nameof(bank));
        if (options.FineWeight > 0 && (fine is null || bank.Slices.Any(s => s.Fine is null)))
            throw new ArgumentException("a fine weight above 0 needs the fine scale and fine descriptors of every bank slice", nameof(options));
        if (options.IntensityWeight > 0 && intensity is null)
            throw new ArgumentException("an intensity weight above 0 needs the normals' intensity tail", nameof(options));
        if (options.RangeWeight > 0 && range is null)
            throw new ArgumentException("a range weight above 0 needs the normals' intensity range", nameof(options));
        if (options.RoughnessWeight > 0 && roughness is null)
            throw new ArgumentException("a roughness weight above 0 needs the normals' roughness range", nameof(options));
        if (options.BlobWeight > 0 && blob is null)
            throw new ArgumentException("a blob weight above 0 needs the normals' blobness range", nameof(options));
        if (coreLevel is { } core && (!double.IsFinite(core) || voxel is null || (intensity is null && range is null && roughness is null && blob is null)))
            throw new ArgumentException("a core level must be finite and needs the voxel calibration and a voxel-scale term (intensity tail, intensity, roughness or blobness range)", nameof(coreLevel));
        if (options.PatchCap > 0 && positions is null)
            throw new ArgumentException("a patch cap above 0 needs the position statistics (it counts their standard deviations)", nameof(options));
        return new ResNetMemoryDetector(backbone, ownsBackbone, options, bank)
        {
            Calibration = calibration, Voxel = voxel, Positions = positions, Fine = options.FineWeight > 0 ? fine : null,
            Intensity = options.IntensityWeight > 0 ? intensity : null, Range = options.RangeWeight > 0 ? range : null,
            Roughness = options.RoughnessWeight > 0 ? roughness : null, Blob = options.BlobWeight > 0 ? blob : null, CoreLevel = coreLevel,
        };
    }

    public string Name => DetectorName;

    public MemoryDetectorOptions Options { get; }

    public DistanceCalibration Calibration { get; private set; } = new(0, 1);

    public PatchMemoryBank Bank => _bank;

    public ResNet18Backbone Backbone => _backbone;

    /// <summary>When set, <see cref="Detect"/> adds its preprocessing, encoder, memory search and assembly times here.</summary>
    public StageTimings? Timings { get; set; }

    /// <summary>Builds the bank from normal volumes (brain masks computed when not given) and calibrates it
    /// leave-one-volume-out: each normal volume's bank slices are mapped against a bank without that volume, and the
    /// raw voxel scores inside its brain give the voxel quantiles and its image statistic (<see cref="VoxelCalibration"/>).
    /// With a single normal volume, every other extracted slice is scored against the rest, which is optimistic
    /// (neighbouring slices are alike) and gives a one-value image-level null distribution.</summary>
    public static ResNetMemoryDetector Build(IReadOnlyList<Volume<float>> normals, ResNet18Backbone? backbone = null, MemoryDetectorOptions? options = null,
        ILogger? logger = null, IReadOnlyList<Volume<byte>>? normalMasks = null, EngineOptions? engine = null)
    {
        if (normals.Count == 0)
            throw new ArgumentException("the memory detector needs at least one normal reference volume", nameof(normals));
        logger ??= NullLogger.Instance;
        options ??= new MemoryDetectorOptions();
        VoxelCalibration.CheckRate(options.FalsePositiveRate);
        foreach (var (term, weight) in new[] { ("fine", options.FineWeight), ("intensity", options.IntensityWeight), ("range", options.RangeWeight), ("roughness", options.RoughnessWeight), ("blob", options.BlobWeight) })
            if (!(weight >= 0) || !double.IsFinite(weight))
                throw new ArgumentException($"the {term} weight must be a finite number of 0 or more, not {weight}", nameof(options));
        if (!(options.PatchCap >= 0) || !double.IsFinite(options.PatchCap))
            throw new ArgumentException($"the patch cap must be a finite number of 0 (none) or more, not {options.PatchCap}", nameof(options));
        SlicingOptions.CheckSigma(options.SliceAxisSigmaMm, "slice-axis sigma");
        FindingDelineation.CheckFraction(options.DelineationFraction);
        FindingDelineation.CheckCoreQuantile(options.CoreQuantile);
        FindingDelineation.CheckEdgeReach(options.EdgeReachMm);
        if (options.FalseFindingsPerScan is { } perScan)
        {
            FindingMass.CheckPerScan(perScan);
            // Only the slice-axis path assembles each normal's whole held-out map, whose findings set the level.
            if (!(options.SliceAxisSigmaMm > 0))
                throw new ArgumentException("the finding-mass cut (false findings per scan) needs the slice-axis smoothing on", nameof(options));
        }
        MemoryDetectorOptions.CheckDarkRim(options.DarkRimMm);
        if (options.PatchCap > 0 && !options.PositionScale)
            throw new ArgumentException("the patch cap counts standard deviations of the position scale: it needs the position scale on (or a cap of 0)", nameof(options));
        var owns = backbone is null;
        backbone ??= ResNet18Backbone.Load(options: engine, logger: logger);
        var detector = new ResNetMemoryDetector(backbone, owns, options, new PatchMemoryBank());
        // Bank slices first (every NormalSliceStep-th), so that the bank is whole before any held-out distance.
        var sliceAxis = options.SliceAxisSigmaMm > 0;
        var step = options.NormalSliceStep;
        var bankSlices = new List<List<SliceFeatures>>();
        var crops = new List<AxialSquareCrop>();
        var masks = new List<Volume<byte>>();
        bool InBank(int slice, AxialSquareCrop crop) => (slice - crop.FirstSlice) % step == 0; // as Extract(crop, step) steps
        for (var v = 0; v < normals.Count; v++)
        {
            var mask = detector.ScoredMask(normals[v], normalMasks?[v]);
            var crop = AxialSquareCrop.Create(normals[v], mask);
            if (crop.IsEmpty)
                throw new ArgumentException($"normal reference volume {v + 1} of {normals.Count} has no brain (its brain mask is empty)", nameof(normals));
            var features = detector.Extract(crop, step);
            bankSlices.Add(features);
            crops.Add(crop);
            masks.Add(mask);
            foreach (var f in features)
                detector._bank.Add(v, f);
        }

        // Held-out distances of every normal's slices: against a bank without that volume. One volume: without the
        // slice's neighbourhood (see SingleVolumeHeldOut); with the smoothing off, only odd bank positions are scored.
        // With the slice-axis smoothing on, the calibration needs each normal's map on every slice (smoothed as a test
        // map is): the slices between the bank's are extracted one normal at a time and only their distances kept, so
        // the build holds the bank and one normal's features, not every slice's. The position and fine scales count
        // the bank slices only, whether or not the others are scored.
        var heldOut = new List<HeldOutSlice>[bankSlices.Count];
        var positions = options.PositionScale ? new PositionStatistics.Accumulator() : null;
        var fineScale = options.FineWeight > 0 ? new FineScale.Accumulator() : null;
        for (var v = 0; v < bankSlices.Count; v++)
        {
            heldOut[v] = [];
            var crop = crops[v];
            var between = sliceAxis ? detector.Extract(crop, 1, include: s => !InBank(s, crop)) : [];
            var slices = bankSlices[v].Concat(between).OrderBy(f => f.Slice).ToList();
            for (var i = 0; i < slices.Count; i++)
            {
                if (normals.Count == 1 && !sliceAxis && i % 2 == 0)
                    continue;
                var f = slices[i];
                var (dist, fine) = normals.Count > 1 ? detector.Distances(detector._bank, f, excludeVolume: v) : detector.SingleVolumeHeldOut(f);
                heldOut[v].Add(new HeldOutSlice(f.Slice, f.Height, f.Brain, dist, fine));
                if (!InBank(f.Slice, crop))
                    continue;
                positions?.Add(v, f.Height, dist, f.Brain);
                if (fine is not null)
                    fineScale!.Add(v, fine, f.FineBrain!);
            }
        }

        // Slice-standardised intensities of every normal's brain, in one pass: the intensity tail and the intensity,
        // roughness and blobness ranges of all of them, and in the calibration each normal's tail and ranges of the others.
        var intensities = options.IntensityWeight > 0 ? new List<float[]>() : null;
        var ranges = options.RangeWeight > 0 ? new IntensityRange.Accumulator() : null;
        var roughnessRanges = options.RoughnessWeight > 0 ? new IntensityRange.Accumulator() : null;
        var blobRanges = options.BlobWeight > 0 ? new IntensityRange.Accumulator() : null;
        for (var v = 0; v < crops.Count && (intensities is not null || ranges is not null || roughnessRanges is not null || blobRanges is not null); v++)
        {
            var crop = crops[v];
            var values = new List<float>();
            var pixels = new float[crop.Slices.PixelCount];
            var brain = new byte[crop.Slices.PixelCount];
            var local = new float[crop.Slices.PixelCount];
            for (var s = crop.FirstSlice; s <= crop.LastSlice; s++)
            {
                crop.CopyStandardized(s, pixels, brain);
                if (roughnessRanges is not null)
                {
                    LocalRoughness.Compute(pixels, brain, crop.Slices.Width, local);
                    roughnessRanges.Add(v, crop, s, local, brain);
                }
                if (blobRanges is not null)
                {
                    LocalBlobness.Compute(pixels, brain, crop.Slices.Width, PixelMm(crop), local);
                    blobRanges.Add(v, crop, s, local, brain);
                }
                if (intensities is not null)
                    for (var p = 0; p < pixels.Length; p++)
                        if (brain[p] != 0)
                            values.Add(pixels[p]);
                ranges?.Add(v, crop, s, pixels, brain);
            }
            intensities?.Add(values.ToArray());
        }
        detector.Intensity = intensities is null ? null : IntensityTail.FromValues(intensities.SelectMany(values => values).ToArray());
        detector.Range = ranges?.Build();
        detector.Roughness = roughnessRanges?.Build();
        detector.Blob = blobRanges?.Build();

        var patches = new List<float>();
        var voxels = new List<float[]>();
        // Each normal's peaks on the bright and dark halves of its brain, for the sided image statistic.
        var sidePeaks = new List<SidePeaks>();
        // The held-out voxel-scale scores of every normal, pooled, for the core level.
        var withCore = options.CoreQuantile > 0 && detector.HasVoxelScaleTerm;
        var coreScores = withCore ? new List<float>() : null;
        // Each normal's whole held-out map (and its voxel-scale part), kept until the level is known, for its findings'
        // masses; only the slice-axis path assembles whole maps.
        var heldOutMaps = options.FalseFindingsPerScan is not null && sliceAxis ? new (Volume<float> Raw, Volume<float>? VoxelScores)[bankSlices.Count] : null;
        for (var v = 0; v < bankSlices.Count; v++)
        {
            // The position scale of the other normals, so that a volume's own distances do not set its scale.
            var scale = positions?.Build(excludeVolume: normals.Count > 1 ? v : -1);
            var fineOfOthers = fineScale?.Build(excludeVolume: normals.Count > 1 ? v : -1);
            // One normal: its tail is counted from all of its slices, the held-out ones too (optimistic, as its
            // single-volume patch calibration).
            var intensityOfOthers = intensities is null || normals.Count == 1 ? detector.Intensity
                : IntensityTail.FromValues(intensities.Where((_, i) => i != v).SelectMany(values => values).ToArray());
            var rangeOfOthers = ranges is null || normals.Count == 1 ? detector.Range : ranges.Build(excludeVolume: v);
            var roughnessOfOthers = roughnessRanges is null || normals.Count == 1 ? detector.Roughness : roughnessRanges.Build(excludeVolume: v);
            var blobOfOthers = blobRanges is null || normals.Count == 1 ? detector.Blob : blobRanges.Build(excludeVolume: v);
            var crop = crops[v];
            var slice = new float[crop.Slices.PixelCount];
            var voxelSlice = withCore ? new float[crop.Slices.PixelCount] : null;
            var maskPixels = new byte[crop.Slices.PixelCount];
            var imageSlices = normals[v].Slices(AnatomicalPlane.Axial);
            var imagePixels = new float[crop.Slices.PixelCount];
            var volumeVoxels = new List<float>();
            var volumeIntensities = new List<float>();
            void AddBrainVoxels(int sliceIndex)
            {
                crop.MaskSlices.CopySlice(sliceIndex, maskPixels);
                imageSlices.CopySlice(sliceIndex, imagePixels);
                for (var p = 0; p < slice.Length; p++)
                {
                    if (maskPixels[p] == 0)
                        continue;
                    volumeVoxels.Add(slice[p]);
                    volumeIntensities.Add(imagePixels[p]);
                    coreScores?.Add(voxelSlice![p]);
                }
            }
            // With the slice-axis smoothing the held-out map (and its voxel-scale part) is assembled, smoothed as
            // Detect smooths, then read.
            var raw = sliceAxis ? detector.UnscoredMap(normals[v]) : null;
            var rawSlices = raw?.Slices(AnatomicalPlane.Axial);
            var voxelRaw = sliceAxis && withCore ? detector.UnscoredMap(normals[v]) : null;
            var voxelRawSlices = voxelRaw?.Slices(AnatomicalPlane.Axial);
            foreach (var (sliceIndex, height, brain, dist, fine) in heldOut[v])
            {
                scale?.Normalize(dist, height);
                if (fine is not null)
                    fineOfOthers!.Normalize(fine);
                if (InBank(sliceIndex, crop))
                    for (var p = 0; p < dist.Length; p++)
                        if (brain[p])
                            patches.Add(dist[p]);
                detector.RawSlice(dist, fine, intensityOfOthers, rangeOfOthers, roughnessOfOthers, blobOfOthers, crop, sliceIndex, slice, voxelSlice);
                if (rawSlices is null)
                {
                    AddBrainVoxels(sliceIndex);
                    continue;
                }
                rawSlices.WriteSlice(sliceIndex, slice);
                voxelRawSlices?.WriteSlice(sliceIndex, voxelSlice!);
            }
            if (raw is not null)
            {
                ThroughPlaneSmoothing.WithinMask(raw, masks[v], options.SliceAxisSigmaMm);
                if (voxelRaw is not null)
                    ThroughPlaneSmoothing.WithinMask(voxelRaw, masks[v], options.SliceAxisSigmaMm);
                foreach (var scored in heldOut[v])
                {
                    rawSlices!.CopySlice(scored.Slice, slice);
                    voxelRawSlices?.CopySlice(scored.Slice, voxelSlice!);
                    AddBrainVoxels(scored.Slice);
                }
                if (heldOutMaps is not null)
                    heldOutMaps[v] = (raw, voxelRaw);
            }
            voxels.Add(volumeVoxels.ToArray());
            sidePeaks.Add(VoxelCalibration.SidePeaksOf(voxels[^1], volumeIntensities.ToArray(), normals[v].VoxelVolumeMm3));
        }
        detector.Positions = positions?.Build();
        detector.Fine = fineScale?.Build();
        detector.Calibration = DistanceCalibration.FromSamples(patches);
        detector.Voxel = VoxelCalibration.FromVolumes(voxels, normals.Select(n => n.VoxelVolumeMm3).ToList(), options.FalsePositiveRate, sidePeaks);
        if (coreScores is not null)
        {
            var sorted = coreScores.ToArray();
            Array.Sort(sorted);
            detector.CoreLevel = VoxelCalibration.Quantile(sorted, options.CoreQuantile);
        }
        if (heldOutMaps is not null)
        {
            // Each normal's findings, cut as a scan's are (FindingDelineation) against the level of all the normals; the
            // normals unlike the others are left out, as they are from the level.
            var unlike = (detector.Voxel.UnlikeNormals ?? []).Select(u => u.Index).ToHashSet();
            var masses = new List<double>();
            for (var v = 0; v < heldOutMaps.Length; v++)
            {
                var (raw, voxelRaw) = heldOutMaps[v];
                heldOutMaps[v] = default;
                if (unlike.Contains(v))
                    continue;
                ZeroOutsideBrain(raw, masks[v]);
                detector.Delineate(raw, masks[v], voxelRaw, normals[v]);
                masses.AddRange(FindingMass.Of(raw, masks[v], detector.Voxel.Threshold, detector.Voxel.Median).Masses);
            }
            detector.Voxel = detector.Voxel with
            {
                FindingMassLevel = FindingMass.Level(masses, heldOutMaps.Length - unlike.Count, options.FalseFindingsPerScan!.Value),
                FalseFindingsPerScan = options.FalseFindingsPerScan,
            };
        }
        logger.LogInformation("memory bank: {Slices} slices of {Volumes} normal volumes; held-out calibration: {Calibration}",
            detector._bank.SliceCount, normals.Count, detector.Voxel);
        foreach (var unlike in detector.Voxel.UnlikeNormals ?? [])
            logger.LogWarning("{Unlike} (normals in the order given); check it for a lesion, an artefact or another protocol", unlike);
        return detector;
    }

    /// <summary>The held-out voxel calibration (null for a bundle built before it existed: its map then uses the
    /// patch-level <see cref="Calibration"/>, and nothing states a voxel false-positive rate).</summary>
    public VoxelCalibration? Voxel { get; private set; }

    /// <summary>The voxel-scale score that a voxel of a finding's core reaches: the <see
    /// cref="MemoryDetectorOptions.CoreQuantile"/> quantile of the held-out normals' voxel-scale scores (null: no core
    /// cut, as bundles built before it).</summary>
    public double? CoreLevel { get; private set; }

    /// <summary>Whether a voxel-scale term (intensity tail, intensity, roughness or blobness range) is on: what the core cut reads.</summary>
    private bool HasVoxelScaleTerm => Intensity is not null || Range is not null || Roughness is not null || Blob is not null;

    /// <summary>A raw map on <paramref name="volume"/>'s grid before any slice is scored: with the slice-axis smoothing
    /// NaN, so that slices outside the crop's brain range, never scored, stay out of the smoothing (Finish then zeroes
    /// them), in test maps and the calibration's held-out maps alike; else 0.</summary>
    private Volume<float> UnscoredMap(Volume<float> volume)
    {
        var map = volume.Like<float>();
        if (Options.SliceAxisSigmaMm > 0)
            map.Data.AsSpan().Fill(float.NaN);
        return map;
    }

    /// <summary>Per-place scale of normal distances (null: raw distances, as bundles built before it).</summary>
    public PositionStatistics? Positions { get; private set; }

    /// <summary>Scale of the fine (stage-1) distances; null when the fine detail is off (bundles built before it).</summary>
    public FineScale? Fine { get; private set; }

    /// <summary>The normals' intensity tail; null when the voxel-scale term is off (bundles built before it).</summary>
    public IntensityTail? Intensity { get; private set; }

    /// <summary>The normals' intensity range per place; null when that term is off (bundles built before it).</summary>
    public IntensityRange? Range { get; private set; }

    /// <summary>The normals' range of local roughness per place (<see cref="LocalRoughness"/>); null when that term is off
    /// (bundles built before it).</summary>
    public IntensityRange? Roughness { get; private set; }

    /// <summary>The normals' range of local blobness per place (<see cref="LocalBlobness"/>); null when that term is off
    /// (bundles built before it).</summary>
    public IntensityRange? Blob { get; private set; }

    /// <summary>Coarse distances of one slice against a bank, and the fine ones when the fine detail is on.</summary>
    private (float[] Coarse, float[]? Fine) Distances(PatchMemoryBank bank, SliceFeatures f, int excludeVolume = -1) =>
        (bank.MinDistances(f, Options.HeightWindow, Options.PositionRadius, excludeVolume),
         f.Fine is null ? null : bank.MinFineDistances(f, Options.HeightWindow, Options.FineRadius, excludeVolume));

    public AnomalyResult Detect(Volume<float> volume, Volume<byte>? mask = null)
    {
        var timings = Timings;
        var t = StageTimings.Now();
        mask = ScoredMask(volume, mask);
        var crop = AxialSquareCrop.Create(volume, mask);
        var map = UnscoredMap(volume);
        var mapSlices = map.Slices(AnatomicalPlane.Axial);
        var slice = new float[mapSlices.PixelCount];
        // The core cut needs the voxel-scale part of the score on its own, smoothed as the map is.
        var voxelScores = CoreLevel is null ? null : UnscoredMap(volume);
        var voxelSlices = voxelScores?.Slices(AnatomicalPlane.Axial);
        var voxelSlice = voxelScores is null ? null : new float[mapSlices.PixelCount];
        timings?.Add(StageTimings.Preprocess, t);
        var features = Extract(crop, step: 1, timings);
        t = StageTimings.Now();
        foreach (var f in features)
        {
            var (dist, fine) = Distances(_bank, f);
            Positions?.Normalize(dist, f.Height);
            if (fine is not null)
                Fine!.Normalize(fine);
            t = timings?.Add(StageTimings.MemorySearch, t) ?? t;
            RawSlice(dist, fine, Intensity, Range, Roughness, Blob, crop, f.Slice, slice, voxelSlice);
            mapSlices.WriteSlice(f.Slice, slice);
            if (voxelSlice is not null)
                voxelSlices!.WriteSlice(f.Slice, voxelSlice);
            t = timings?.Add(StageTimings.Assembly, t) ?? t;
        }
        ThroughPlaneSmoothing.WithinMask(map, mask, Options.SliceAxisSigmaMm);
        if (voxelScores is not null)
            ThroughPlaneSmoothing.WithinMask(voxelScores, mask, Options.SliceAxisSigmaMm);
        var result = Finish(map, mask, voxelScores, volume);
        timings?.Add(StageTimings.Assembly, t);
        return result;
    }

    /// <summary>The brain voxels a volume is scored on: its mask (computed when not given), without its dark
    /// partial-volume rim when <see cref="MemoryDetectorOptions.DarkRimMm"/> is on.</summary>
    private Volume<byte> ScoredMask(Volume<float> volume, Volume<byte>? mask)
    {
        mask ??= BrainMask.Compute(volume);
        return Options.DarkRimMm > 0 ? BrainMask.WithoutDarkRim(mask, volume, Options.DarkRimMm) : mask;
    }

    /// <summary>Raw scores to the [0, 1] map: the voxel calibration when there is one (each finding delineated first,
    /// <see cref="FindingDelineation"/>, with the voxel-scale scores when the core cut is on and the image for its
    /// half-contrast edge), else the patch-level one; image score and p-value from the raw brain scores before the
    /// delineation, and the image's intensities for the sided peak (<see cref="ImageStatisticRule"/>; bundles built
    /// before the voxel calibration take the brain quantile). Slices outside the crop's brain range were never scored and stay 0.</summary>
    private AnomalyResult Finish(Volume<float> raw, Volume<byte> mask, Volume<float>? voxelScores, Volume<float> image)
    {
        var data = raw.Data;
        var brain = new List<float>();
        var brainIntensities = new List<float>();
        for (var v = 0; v < data.Length; v++)
        {
            if (mask.Data[v] == 0 || float.IsNaN(data[v]))
                continue;
            brain.Add(data[v]);
            brainIntensities.Add(image.Data[v]);
        }
        ZeroOutsideBrain(raw, mask);
        var statistic = Voxel is { } calibration ? calibration.ImageStatisticOf(brain.ToArray(), brainIntensities.ToArray(), raw.VoxelVolumeMm3)
            : VoxelCalibration.ImageStatistic(brain.ToArray(), ImageStatisticRule.BrainQuantile, raw.VoxelVolumeMm3);
        Delineate(raw, mask, voxelScores, image);
        if (Voxel is { FindingMassLevel: { } minMass })
            FindingMass.KeepHeavierThan(raw, mask, Voxel.Threshold, Voxel.Median, minMass);
        Func<double, float> apply = Voxel is { } voxel ? voxel.Apply : Calibration.Apply;
        for (var v = 0; v < data.Length; v++)
            if (data[v] != 0)
                data[v] = apply(data[v]);
        return new AnomalyResult(raw, Voxel?.ImageScore(statistic) ?? apply(statistic), Voxel?.PValue(statistic));
    }

    /// <summary>Raw scores outside the brain, or never scored (NaN), become 0.</summary>
    private static void ZeroOutsideBrain(Volume<float> raw, Volume<byte> mask)
    {
        var data = raw.Data;
        for (var v = 0; v < data.Length; v++)
            if (mask.Data[v] == 0 || float.IsNaN(data[v]))
                data[v] = 0;
    }

    /// <summary>Each finding of a raw map trimmed to its core (<see cref="FindingDelineation"/>), when the map is
    /// calibrated per voxel.</summary>
    private void Delineate(Volume<float> raw, Volume<byte> mask, Volume<float>? voxelScores, Volume<float> image)
    {
        if (Voxel is { } calibrated)
            FindingDelineation.Apply(raw, mask, calibrated.Threshold, calibrated.Median, Options.DelineationFraction,
                voxelScores is null ? null : (voxelScores, CoreLevel!.Value), voxelScores is null ? null : (image, Options.EdgeReachMm));
    }

    /// <summary>One slice's raw score: the grid of (scaled) coarse nearest-neighbour distances, plus the weighted
    /// fine ones on the stride-4 grid when given, bilinearly to the input size, smoothed, capped at the patch cap,
    /// and pasted back into the slice (0 outside the crop square); then each brain voxel's weighted intensity tail,
    /// intensity range, roughness range and blobness range scores, where those terms are on.</summary>
    /// <param name="voxelScores">When given, receives the voxel-scale part of the slice's score alone (the terms'
    /// sum, to rounding; 0 outside the brain, and everywhere when no term is on).</param>
    private void RawSlice(float[] distances, float[]? fine, IntensityTail? intensity, IntensityRange? range, IntensityRange? roughness, IntensityRange? blob, AxialSquareCrop crop, int sliceIndex, float[] slice,
        float[]? voxelScores = null)
    {
        var full = new float[S * S];
        if (fine is null)
        {
            Resize2D.Resize(distances, SliceFeatures.Grid, SliceFeatures.Grid, full, S, S, ResizeMode.Bilinear, alignCorners: false);
        }
        else
        {
            const int g = SliceFeatures.FineGrid;
            var combined = new float[g * g];
            Resize2D.Resize(distances, SliceFeatures.Grid, SliceFeatures.Grid, combined, g, g, ResizeMode.Bilinear, alignCorners: false);
            var weight = (float)Options.FineWeight;
            for (var p = 0; p < combined.Length; p++)
                combined[p] += weight * fine[p];
            Resize2D.Resize(combined, g, g, full, S, S, ResizeMode.Bilinear, alignCorners: false);
        }
        GaussianBlur2D.Apply(full, S, S, Options.SmoothingSigma);
        if (Options.PatchCap > 0)
            TensorPrimitives.Min(full, (float)Options.PatchCap, full);
        slice.AsSpan().Clear();
        crop.PasteBack(full, S, slice);
        // The voxel-scale part is read back as (patch + terms) - patch: the map keeps the order of its sums.
        if (voxelScores is not null)
            slice.CopyTo(voxelScores, 0);
        if (intensity is null && range is null && roughness is null && blob is null)
        {
            voxelScores?.AsSpan().Clear();
            return;
        }
        var pixels = new float[slice.Length];
        var brain = new byte[slice.Length];
        crop.CopyStandardized(sliceIndex, pixels, brain);
        intensity?.AddTo(pixels, brain, (float)Options.IntensityWeight, slice);
        range?.AddTo(crop, sliceIndex, pixels, brain, (float)Options.RangeWeight, slice);
        if (roughness is not null)
        {
            var rough = new float[slice.Length];
            LocalRoughness.Compute(pixels, brain, crop.Slices.Width, rough);
            roughness.AddTo(crop, sliceIndex, rough, brain, (float)Options.RoughnessWeight, slice);
        }
        if (blob is not null)
        {
            var blobness = new float[slice.Length];
            LocalBlobness.Compute(pixels, brain, crop.Slices.Width, PixelMm(crop), blobness);
            blob.AddTo(crop, sliceIndex, blobness, brain, (float)Options.BlobWeight, slice);
        }
        if (voxelScores is not null)
            TensorPrimitives.Subtract(slice, voxelScores, voxelScores);
    }

    /// <summary>The in-plane pixel size in mm that the blobness scale is set in (the geometric mean of width and height).</summary>
    private static double PixelMm(AxialSquareCrop crop) => Math.Sqrt(crop.Slices.PixelWidth * crop.Slices.PixelHeight);

    /// <summary>Patch features of the brain slices of a cropped volume, every <paramref name="step"/>-th slice (of
    /// those <paramref name="include"/> accepts, when given), run through the backbone in batches.</summary>
    internal List<SliceFeatures> Extract(AxialSquareCrop crop, int step, StageTimings? timings = null, Func<int, bool>? include = null)
    {
        var t = StageTimings.Now();
        var result = new List<SliceFeatures>();
        if (crop.IsEmpty)
            return result;
        var engine = _backbone.Engine;
        var pixels = new float[crop.Slices.PixelCount];
        var maskPixels = new byte[crop.Slices.PixelCount];
        var grey = new float[S * S];
        var maskSquare = new float[S * S];
        var pending = new List<(int Slice, bool[] Brain, bool[] FineBrain)>();
        var withFine = Options.FineWeight > 0;

        void Flush()
        {
            if (pending.Count == 0)
                return;
            t = timings?.Add(StageTimings.Preprocess, t) ?? t;
            var outputs = engine.Run(pending.Count);
            t = timings?.Add(StageTimings.Encoder, t) ?? t;
            var stage2 = outputs[_backbone.StageOutputIndex[1]];
            var stage3 = outputs[_backbone.StageOutputIndex[2]];
            for (var b = 0; b < pending.Count; b++)
            {
                var features = PatchFeatureBuilder.Build(stage2.AsSpan(b * 128 * 28 * 28, 128 * 28 * 28), stage3.AsSpan(b * 256 * 14 * 14, 256 * 14 * 14), Options.PoolStage2);
                var fine = withFine ? PatchFeatureBuilder.BuildFine(outputs[_backbone.StageOutputIndex[0]].AsSpan(b * FineTensor, FineTensor)) : null;
                result.Add(new SliceFeatures(pending[b].Slice, crop.NormalizedHeight(pending[b].Slice), features, pending[b].Brain)
                    { Fine = fine, FineBrain = withFine ? pending[b].FineBrain : null });
            }
            pending.Clear();
            // Patch features from the stage outputs: the first step of the memory search.
            t = timings?.Add(StageTimings.MemorySearch, t) ?? t;
        }

        for (var s = crop.FirstSlice; s <= crop.LastSlice; s += step)
        {
            if (include is not null && !include(s))
                continue;
            crop.CopyStandardized(s, pixels, maskPixels);
            for (var p = 0; p < pixels.Length; p++)
                pixels[p] = maskPixels[p] == 0 ? 0 : Math.Clamp(128 + Options.GreyPerStd * pixels[p], 0, 255);
            crop.Extract(pixels, grey, S);
            var maskFloat = new float[pixels.Length];
            for (var p = 0; p < pixels.Length; p++)
                maskFloat[p] = maskPixels[p];
            crop.Extract(maskFloat, maskSquare, S);
            _backbone.WriteInput(pending.Count, grey);
            pending.Add((s, BrainCells(maskSquare, SliceFeatures.Grid), BrainCells(maskSquare, SliceFeatures.FineGrid)));
            if (pending.Count == engine.MaxBatch)
                Flush();
        }
        Flush();
        timings?.Add(StageTimings.Preprocess, t);
        return result;
    }

    private const int FineTensor = SliceFeatures.FineDim * SliceFeatures.FineGrid * SliceFeatures.FineGrid;

    // A grid cell covers brain when most of its input pixels (8 x 8 on the coarse grid, 4 x 4 on the fine) do.
    private static bool[] BrainCells(ReadOnlySpan<float> maskSquare, int g)
    {
        var cell = S / g;
        var brain = new bool[g * g];
        for (var gy = 0; gy < g; gy++)
        {
            for (var gx = 0; gx < g; gx++)
            {
                var sum = 0f;
                for (var y = 0; y < cell; y++)
                    for (var x = 0; x < cell; x++)
                        sum += maskSquare[(gy * cell + y) * S + gx * cell + x];
                brain[gy * g + gx] = sum >= 0.5f * cell * cell;
            }
        }
        return brain;
    }

    // With one normal volume a scored slice is never compared with itself or its next neighbours. Smoothing off: the
    // scored slices (odd bank positions) against the even ones. Smoothing on, every slice scored: against the bank
    // slices at least one bank step (NormalSliceStep slices) away.
    private (float[] Coarse, float[]? Fine) SingleVolumeHeldOut(SliceFeatures f)
    {
        var bank = new PatchMemoryBank();
        var slices = _bank.Slices.ToList();
        for (var n = 0; n < slices.Count; n++)
            if (Options.SliceAxisSigmaMm > 0 ? Math.Abs(slices[n].Slice - f.Slice) >= Options.NormalSliceStep : n % 2 == 0)
                bank.Add(0, slices[n]);
        return Distances(bank, f);
    }

    /// <summary>A held-out normal slice as the calibration needs it: where it lies and its distances, without the
    /// patch features.</summary>
    private readonly record struct HeldOutSlice(int Slice, double Height, bool[] Brain, float[] Distances, float[]? Fine);

    public void Dispose()
    {
        if (_ownsBackbone)
            _backbone.Dispose();
    }
}
