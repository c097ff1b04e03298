using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Zsad.Inference.Backbones;
using Zsad.Inference.Bundles;
using Zsad.Inference.Detection;
using Zsad.Inference.Engine;

namespace Zsad.Inference.Memory;

/// <summary>The built-in ResNet18 memory detector as a `feature-memory` bundle: the edited graph (stage outputs
/// exposed) and its mean image, the patch bank with each slice's volume, index, brain height and brain cells, and
/// the calibration and search settings. Loading it starts the detector without touching any normal volume.</summary>
public static class FeatureMemoryBundle
{
    public const string BackboneName = "resnet18-imagenet";
    private const int Cells = SliceFeatures.Grid * SliceFeatures.Grid;
    private const int SliceColumns = 4 + Cells;
    private const int FineCells = SliceFeatures.FineGrid * SliceFeatures.FineGrid;

    public static void Write(ResNetMemoryDetector detector, string directory, MemorySource source, string name)
    {
        var backbone = detector.Backbone;
        var entries = detector.Bank.Entries;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        void Save(string name, Action<FileStream> write)
        {
            var path = Path.Combine(directory, name);
            using (var stream = File.Create(path))
                write(stream);
            files[name] = BundleLoader.Sha256(path);
        }
        Save("encoder.onnx", s => s.Write(backbone.EditedGraph));
        Save("mean_image.f32", s => s.Write(MemoryMarshal.AsBytes(backbone.MeanImage)));
        Save("memory_bank.f32", s =>
        {
            foreach (var (_, slice) in entries)
                s.Write(MemoryMarshal.AsBytes(slice.Features.AsSpan()));
        });
        Save("memory_slices.f32", s =>
        {
            var row = new float[SliceColumns];
            foreach (var (volume, slice) in entries)
            {
                // Height is a double: stored as float32 high and low parts so the search window sees the same value.
                var high = (float)slice.Height;
                row[0] = volume;
                row[1] = slice.Slice;
                row[2] = high;
                row[3] = (float)(slice.Height - high);
                for (var c = 0; c < Cells; c++)
                    row[4 + c] = slice.Brain[c] ? 1 : 0;
                s.Write(MemoryMarshal.AsBytes(row.AsSpan()));
            }
        });

        if (detector.Fine is not null)
            Save("fine_bank.f32", s =>
            {
                foreach (var (_, slice) in entries)
                    s.Write(MemoryMarshal.AsBytes(slice.Fine.AsSpan()));
            });

        // The [2, heightBins, cells] tables of two values per place that ReadPlaceTable reads back.
        void SavePlaceTable(string name, float[] first, float[] second) => Save(name, s =>
        {
            s.Write(MemoryMarshal.AsBytes(first.AsSpan()));
            s.Write(MemoryMarshal.AsBytes(second.AsSpan()));
        });
        if (detector.Positions is { } positions)
            SavePlaceTable("position_statistics.f32", positions.Mean, positions.Std);
        if (detector.Range is { } range)
            SavePlaceTable("intensity_range.f32", range.Lower, range.Upper);
        if (detector.Roughness is { } roughness)
            SavePlaceTable("roughness_range.f32", roughness.Lower, roughness.Upper);
        if (detector.Blob is { } blob)
            SavePlaceTable("blob_range.f32", blob.Lower, blob.Upper);

        var stage2 = backbone.Stages[1].Tensor;
        var stage3 = backbone.Stages[2].Tensor;
        var options = detector.Options;
        var manifest = new DetectorManifest
        {
            SchemaVersion = BundleVocabulary.SchemaVersion,
            Name = name,
            Method = "feature-memory",
            Backbone = BackboneName,
            Weights = "custom", // ImageNet weights; the backbone name says so
            // Mean 0 / std 1: the ResNet input is the grey slice at display scale minus featureMemory.meanImage.
            Input = new ManifestInput { Size = ResNet18Backbone.InputSize, Resize = "bilinear", AlignCorners = false, Mean = [0, 0, 0], Std = [1, 1, 1] },
            EmbedDim = SliceFeatures.Dim,
            Layers =
            [
                new ManifestLayer { Name = "stage2", Output = stage2, Grid = 28, Dim = 128 },
                new ManifestLayer { Name = "stage3", Output = stage3, Grid = 14, Dim = 256 },
            ],
            UpsampleAlignCorners = false,
            LayerReduction = "sum",
            SmoothingSigma = options.SmoothingSigma,
            ImageScore = "max-map",
            Encoder = "encoder.onnx",
            MemoryBank = new ManifestTensor { Name = "memoryBank", Path = "memory_bank.f32", Shape = [entries.Count * Cells, SliceFeatures.Dim] },
            MemoryRowWidth = SliceFeatures.Dim,
            MemorySource = source,
            FeatureMemory = new FeatureMemorySection
            {
                Slices = new ManifestTensor { Name = "slices", Path = "memory_slices.f32", Shape = [entries.Count, SliceColumns] },
                MeanImage = new ManifestTensor { Name = "meanImage", Path = "mean_image.f32", Shape = [3, ResNet18Backbone.InputSize, ResNet18Backbone.InputSize] },
                CalibrationMedian = detector.Calibration.Median,
                CalibrationP999 = detector.Calibration.P999,
                HeightWindow = options.HeightWindow,
                PositionRadius = options.PositionRadius,
                GreyPerStd = options.GreyPerStd,
                PoolStage2 = options.PoolStage2,
                FalsePositiveRate = detector.Voxel?.FalsePositiveRate,
                VoxelMedian = detector.Voxel?.Median,
                VoxelThreshold = detector.Voxel?.Threshold,
                VoxelQuantiles = detector.Voxel?.Quantiles.Select(q => new ManifestQuantile { Level = q.Level, Value = q.Value }).ToList(),
                CalibrationVoxels = detector.Voxel?.Voxels,
                NormalImageStatistics = detector.Voxel?.NormalImageStatistics.ToList(),
                ImageStatistic = detector.Voxel?.ImageRule switch
                {
                    ImageStatisticRule.Peak => PeakKey,
                    ImageStatisticRule.SidedPeak => SidedPeakKey,
                    _ => null,
                },
                BrightPeakReference = detector.Voxel?.SideReferences?.Bright,
                DarkPeakReference = detector.Voxel?.SideReferences?.Dark,
                UnlikeNormals = detector.Voxel?.UnlikeNormals is { Count: > 0 } unlike
                    ? unlike.Select(u => new ManifestUnlikeNormal { Index = u.Index, ShareFlagged = u.ShareFlagged }).ToList() : null,
                FindingMassLevel = detector.Voxel?.FindingMassLevel,
                FalseFindingsPerScan = detector.Voxel?.FalseFindingsPerScan,
                PositionStatistics = detector.Positions is null ? null : PlaceTableTensor("positionStatistics", "position_statistics.f32", Cells),
                FineWeight = detector.Fine is null ? null : options.FineWeight,
                FineRadius = detector.Fine is null ? null : options.FineRadius,
                FineMean = detector.Fine?.Mean,
                FineStd = detector.Fine?.Std,
                FineBank = detector.Fine is null ? null
                    : new ManifestTensor { Name = "fineBank", Path = "fine_bank.f32", Shape = [entries.Count * FineCells, SliceFeatures.FineDim] },
                IntensityTail = detector.Intensity is not { } tail ? null : new IntensityTailSection
                {
                    Weight = options.IntensityWeight, Voxels = tail.Voxels, Step = tail.Step, Lower = [.. tail.Lower], Upper = [.. tail.Upper],
                },
                RangeWeight = detector.Range is null ? null : options.RangeWeight,
                PatchCap = options.PatchCap > 0 ? options.PatchCap : null,
                SliceAxisSigmaMm = options.SliceAxisSigmaMm > 0 ? options.SliceAxisSigmaMm : null,
                DelineationFraction = options.DelineationFraction > 0 && detector.Voxel is not null ? options.DelineationFraction : null,
                CoreQuantile = detector.CoreLevel is null ? null : options.CoreQuantile,
                CoreLevel = detector.CoreLevel,
                EdgeReachMm = detector.CoreLevel is not null && options.EdgeReachMm > 0 ? options.EdgeReachMm : null,
                DarkRimMm = options.DarkRimMm > 0 ? options.DarkRimMm : null,
                IntensityRange = detector.Range is null ? null : PlaceTableTensor("intensityRange", "intensity_range.f32", FineCells),
                RoughnessWeight = detector.Roughness is null ? null : options.RoughnessWeight,
                RoughnessRange = detector.Roughness is null ? null : PlaceTableTensor("roughnessRange", "roughness_range.f32", FineCells),
                BlobWeight = detector.Blob is null ? null : options.BlobWeight,
                BlobRange = detector.Blob is null ? null : PlaceTableTensor("blobRange", "blob_range.f32", FineCells),
            },
            Files = files,
        };
        File.WriteAllBytes(Path.Combine(directory, BundleLoader.ManifestFileName), JsonSerializer.SerializeToUtf8Bytes(manifest, BundleJsonContext.Default.DetectorManifest));
    }

    /// <summary>The manifest entry of a [2, heightBins, cells] table of two values per place (brain-height bin and grid
    /// cell; position statistics and the place ranges share the bins).</summary>
    private static ManifestTensor PlaceTableTensor(string name, string path, int cells) =>
        new() { Name = name, Path = path, Shape = [2, PositionStatistics.HeightBins, cells] };

    /// <summary>The detector a loaded feature-memory bundle describes; every missing or inconsistent part is named.</summary>
    public static ResNetMemoryDetector Load(DetectorBundle bundle, EngineOptions? engine = null, ILogger? logger = null)
    {
        var m = bundle.Manifest;
        string Fail(string what) => $"detector bundle {bundle.Directory}: {what}";
        if (bundle.Method != DetectorMethod.FeatureMemory)
            throw new BundleException(Fail($"method '{m.Method}' is not feature-memory"));
        if (m.Backbone != BackboneName)
            throw new BundleException(Fail($"feature-memory runs backbone '{BackboneName}' only, not '{m.Backbone}'"));
        var section = m.FeatureMemory ?? throw new BundleException(Fail("manifest.json has no 'featureMemory'"));
        T Need<T>(T? value, string key) where T : struct => value ?? throw new BundleException(Fail($"manifest.json has no 'featureMemory.{key}'"));
        var median = Need(section.CalibrationMedian, "calibrationMedian");
        var p999 = Need(section.CalibrationP999, "calibrationP999");
        if (!(p999 > median))
            throw new BundleException(Fail($"featureMemory calibration p99.9 {p999} must exceed the median {median}"));
        var options = new MemoryDetectorOptions
        {
            HeightWindow = Need(section.HeightWindow, "heightWindow"),
            PositionRadius = Need(section.PositionRadius, "positionRadius"),
            GreyPerStd = (float)Need(section.GreyPerStd, "greyPerStd"),
            SmoothingSigma = m.SmoothingSigma ?? 0,
            PoolStage2 = section.PoolStage2 ?? true,
            FineWeight = 0,
            IntensityWeight = 0,
            RangeWeight = 0,
            RoughnessWeight = 0,
            BlobWeight = 0,
            PatchCap = 0,
            SliceAxisSigmaMm = 0,
            DelineationFraction = 0,
            CoreQuantile = 0,
            EdgeReachMm = 0,
            DarkRimMm = 0,
        };
        if (m.MemoryRowWidth != SliceFeatures.Dim)
            throw new BundleException(Fail($"memoryRowWidth must be {SliceFeatures.Dim} (the ResNet18 patch feature), not {m.MemoryRowWidth}"));
        var slicesTensor = section.Slices ?? throw new BundleException(Fail("manifest.json has no 'featureMemory.slices'"));
        var meanTensor = section.MeanImage ?? throw new BundleException(Fail("manifest.json has no 'featureMemory.meanImage'"));
        var slices = BundleLoader.ReadTensor(bundle.Directory, slicesTensor, "featureMemory.slices");
        var mean = BundleLoader.ReadTensor(bundle.Directory, meanTensor, "featureMemory.meanImage");
        if (slicesTensor.Shape is not [var count, SliceColumns])
            throw new BundleException(Fail($"featureMemory.slices shape [{string.Join(", ", slicesTensor.Shape!)}] must be [slices, {SliceColumns}]"));
        var bankRows = m.MemoryBank!.Shape![0];
        if (bankRows != count * Cells)
            throw new BundleException(Fail($"memoryBank holds {bankRows} patches, {count} slices of {Cells} patches need {count * Cells}"));
        var coarse = BundleLoader.ReadTensorChunks(bundle.Directory, m.MemoryBank, "memoryBank", Cells * SliceFeatures.Dim);

        var (fine, fineBank) = LoadFine(bundle, section, count, Fail);
        if (fine is not null)
            options = options with { FineWeight = section.FineWeight!.Value, FineRadius = section.FineRadius!.Value };
        var bank = new PatchMemoryBank();
        for (var s = 0; s < count; s++)
        {
            var row = slices.AsSpan(s * SliceColumns, SliceColumns);
            var brain = new bool[Cells];
            for (var c = 0; c < Cells; c++)
                brain[c] = row[4 + c] != 0;
            bank.Add((int)row[0], new SliceFeatures((int)row[1], (double)row[2] + row[3], coarse[s], brain) { Fine = fineBank?[s] });
        }
        var intensity = LoadIntensityTail(section, Fail);
        if (intensity is not null)
            options = options with { IntensityWeight = section.IntensityTail!.Weight!.Value };
        var range = LoadPlaceRange(bundle, section.RangeWeight, section.IntensityRange, "rangeWeight", "intensityRange", Fail);
        if (range is not null)
            options = options with { RangeWeight = section.RangeWeight!.Value };
        var roughness = LoadPlaceRange(bundle, section.RoughnessWeight, section.RoughnessRange, "roughnessWeight", "roughnessRange", Fail);
        if (roughness is not null)
            options = options with { RoughnessWeight = section.RoughnessWeight!.Value };
        var blob = LoadPlaceRange(bundle, section.BlobWeight, section.BlobRange, "blobWeight", "blobRange", Fail);
        if (blob is not null)
            options = options with { BlobWeight = section.BlobWeight!.Value };
        if (section.PatchCap is { } cap)
        {
            CheckWeight(cap, "patchCap", Fail);
            if (section.PositionStatistics is null)
                throw new BundleException(Fail("manifest.json has 'featureMemory.patchCap' but no 'featureMemory.positionStatistics' (the cap counts their standard deviations)"));
            options = options with { PatchCap = cap };
        }
        if (section.SliceAxisSigmaMm is { } sigma)
        {
            // Its calibration was computed on maps smoothed with this sigma, so a bundle without the key runs unsmoothed.
            CheckWeight(sigma, "sliceAxisSigmaMm", Fail);
            options = options with { SliceAxisSigmaMm = sigma };
        }
        var voxel = LoadVoxelCalibration(section, Fail);
        if (section.DelineationFraction is { } fraction)
        {
            if (!(fraction is > 0 and < 1))
                throw new BundleException(Fail($"featureMemory.delineationFraction {fraction} must lie above 0 and below 1"));
            if (voxel is null)
                throw new BundleException(Fail("manifest.json has 'featureMemory.delineationFraction' but no voxel calibration ('featureMemory.voxelThreshold'): the cut is relative to it"));
            options = options with { DelineationFraction = fraction };
        }
        var coreLevel = LoadCoreLevel(section, voxel is not null && (intensity is not null || range is not null || roughness is not null || blob is not null), Fail);
        if (coreLevel is not null)
            options = options with { CoreQuantile = section.CoreQuantile!.Value };
        if (section.EdgeReachMm is { } reach)
        {
            if (!(reach > 0) || !double.IsFinite(reach))
                throw new BundleException(Fail($"featureMemory.edgeReachMm {reach} must be a finite number of mm above 0"));
            if (coreLevel is null)
                throw new BundleException(Fail("manifest.json has 'featureMemory.edgeReachMm' but no core cut ('featureMemory.coreLevel'): the edge starts from it"));
            options = options with { EdgeReachMm = reach };
        }
        if (section.DarkRimMm is { } rim)
        {
            // The bank and the calibration were built on masks without the rim, so the scored volumes lose it too.
            if (!(rim > 0) || !double.IsFinite(rim))
                throw new BundleException(Fail($"featureMemory.darkRimMm {rim} must be a finite number of mm above 0"));
            options = options with { DarkRimMm = rim };
        }
        options = options with { FalsePositiveRate = voxel?.FalsePositiveRate ?? options.FalsePositiveRate };
        var positions = LoadPositionStatistics(bundle, section, Fail);
        var backbone = ResNet18Backbone.FromEditedGraph(File.ReadAllBytes(bundle.EncoderPath), mean, engine, logger);
        return ResNetMemoryDetector.FromBank(backbone, ownsBackbone: true, bank, new DistanceCalibration(median, p999), options, voxel, positions, fine, intensity, range, roughness, blob, coreLevel);
    }

    /// <summary>The core cut's level, or null for a bundle built before it (both keys absent).</summary>
    /// <param name="hasTerms">Whether the bundle has a voxel calibration and a voxel-scale term, which the cut needs.</param>
    private static double? LoadCoreLevel(FeatureMemorySection section, bool hasTerms, Func<string, string> fail)
    {
        if (section.CoreQuantile is null && section.CoreLevel is null)
            return null;
        if (section.CoreQuantile is not { } quantile || section.CoreLevel is not { } level)
            throw new BundleException(fail("manifest.json has one of 'featureMemory.coreQuantile' and 'featureMemory.coreLevel' without the other"));
        if (!(quantile is > 0 and < 1))
            throw new BundleException(fail($"featureMemory.coreQuantile {quantile} must lie above 0 and below 1"));
        if (!double.IsFinite(level))
            throw new BundleException(fail($"featureMemory.coreLevel must be a finite number, not {level}"));
        if (!hasTerms)
            throw new BundleException(fail("manifest.json has 'featureMemory.coreLevel' but no voxel calibration ('featureMemory.voxelThreshold') or no voxel-scale term (intensityTail, intensityRange, roughnessRange, blobRange): the core cut needs both"));
        return level;
    }

    /// <summary>The fine scale and descriptors, or nulls for a bundle built before them (all fine keys absent).</summary>
    private static (FineScale? Scale, float[][]? Bank) LoadFine(DetectorBundle bundle, FeatureMemorySection section, int slices, Func<string, string> fail)
    {
        if (section.FineWeight is null && section.FineRadius is null && section.FineMean is null && section.FineStd is null && section.FineBank is null)
            return (null, null);
        T Need<T>(T? value, string key) where T : struct =>
            value ?? throw new BundleException(fail($"manifest.json has part of the fine detail but no 'featureMemory.{key}'"));
        var weight = Need(section.FineWeight, "fineWeight");
        var radius = Need(section.FineRadius, "fineRadius");
        var mean = Need(section.FineMean, "fineMean");
        var std = Need(section.FineStd, "fineStd");
        var tensor = section.FineBank ?? throw new BundleException(fail("manifest.json has part of the fine detail but no 'featureMemory.fineBank'"));
        CheckWeight(weight, "fineWeight", fail);
        if (radius < 0)
            throw new BundleException(fail($"featureMemory.fineRadius {radius} must not be negative"));
        if (!(std > 0) || !double.IsFinite(std) || !double.IsFinite(mean))
            throw new BundleException(fail($"featureMemory.fineMean {mean} and fineStd {std} must be finite, the std above 0"));
        if (tensor.Shape is not [var rows, SliceFeatures.FineDim] || rows != (long)slices * FineCells)
            throw new BundleException(fail($"featureMemory.fineBank shape [{string.Join(", ", tensor.Shape ?? [])}] must be [{(long)slices * FineCells}, {SliceFeatures.FineDim}] ({slices} slices of {FineCells} fine cells)"));
        return (new FineScale((float)mean, (float)std), BundleLoader.ReadTensorChunks(bundle.Directory, tensor, "featureMemory.fineBank", FineCells * SliceFeatures.FineDim));
    }

    /// <summary>A stored term's weight (or the patch cap): a setting in the bundle is on, so it is above 0.</summary>
    private static void CheckWeight(double weight, string key, Func<string, string> fail)
    {
        if (!(weight > 0) || !double.IsFinite(weight))
            throw new BundleException(fail($"featureMemory.{key} {weight} must be a finite number above 0"));
    }

    /// <summary>The intensity tail, or null for a bundle built before it (no 'intensityTail').</summary>
    private static IntensityTail? LoadIntensityTail(FeatureMemorySection section, Func<string, string> fail)
    {
        if (section.IntensityTail is not { } t)
            return null;
        BundleException Missing(string key) => new(fail($"manifest.json has 'featureMemory.intensityTail' but no 'featureMemory.intensityTail.{key}'"));
        var weight = t.Weight ?? throw Missing("weight");
        CheckWeight(weight, "intensityTail.weight", fail);
        var voxels = t.Voxels ?? throw Missing("voxels");
        var step = t.Step ?? throw Missing("step");
        var lower = t.Lower ?? throw Missing("lower");
        var upper = t.Upper ?? throw Missing("upper");
        try
        {
            return new IntensityTail(voxels, step, [.. lower], [.. upper]);
        }
        catch (ArgumentException ex)
        {
            throw new BundleException(fail("featureMemory.intensityTail: " + ex.Message));
        }
    }

    /// <summary>A per-place range term (the intensity, roughness or blobness range) and its weight, or null for a bundle
    /// built before it (both keys absent).</summary>
    private static IntensityRange? LoadPlaceRange(DetectorBundle bundle, double? weight, ManifestTensor? tensor, string weightKey, string tensorKey,
        Func<string, string> fail)
    {
        if (weight is null && tensor is null)
            return null;
        if (weight is null || tensor is null)
            throw new BundleException(fail(weight is null
                ? $"manifest.json has 'featureMemory.{tensorKey}' but no 'featureMemory.{weightKey}'"
                : $"manifest.json has 'featureMemory.{weightKey}' but no 'featureMemory.{tensorKey}'"));
        CheckWeight(weight.Value, weightKey, fail);
        return ReadPlaceTable(bundle, tensor, tensorKey, FineCells, (lower, upper) => new IntensityRange(lower, upper), fail);
    }

    private static PositionStatistics? LoadPositionStatistics(DetectorBundle bundle, FeatureMemorySection section, Func<string, string> fail) =>
        section.PositionStatistics is not { } tensor ? null
            : ReadPlaceTable(bundle, tensor, "positionStatistics", Cells, (mean, std) => new PositionStatistics(mean, std), fail);

    /// <summary>A [2, heightBins, cells] table of two values per place (brain-height bin and grid cell): its shape is
    /// checked, and what the constructor refuses becomes a bundle error naming the key.</summary>
    private static T ReadPlaceTable<T>(DetectorBundle bundle, ManifestTensor tensor, string key, int cells, Func<float[], float[], T> create, Func<string, string> fail)
    {
        const int bins = PositionStatistics.HeightBins;
        if (tensor.Shape is not [2, bins, var c] || c != cells)
            throw new BundleException(fail($"featureMemory.{key} shape [{string.Join(", ", tensor.Shape ?? [])}] must be [2, {bins}, {cells}]"));
        var values = BundleLoader.ReadTensor(bundle.Directory, tensor, "featureMemory." + key);
        try
        {
            return create(values[..(bins * cells)], values[(bins * cells)..]);
        }
        catch (ArgumentException ex)
        {
            throw new BundleException(fail($"featureMemory.{key}: " + ex.Message));
        }
    }

    private const string PeakKey = "peak";
    private const string SidedPeakKey = "sided-peak";

    /// <summary>The held-out voxel calibration, or null for a bundle built before it was stored (all its keys absent).</summary>
    private static VoxelCalibration? LoadVoxelCalibration(FeatureMemorySection section, Func<string, string> fail)
    {
        if (section.FalsePositiveRate is null && section.VoxelThreshold is null && section.VoxelMedian is null)
            return null;
        double Need(double? value, string key) => value ?? throw new BundleException(fail($"manifest.json has 'featureMemory.falsePositiveRate' but no 'featureMemory.{key}'"));
        var rate = Need(section.FalsePositiveRate, "falsePositiveRate");
        var median = Need(section.VoxelMedian, "voxelMedian");
        var threshold = Need(section.VoxelThreshold, "voxelThreshold");
        if (!(rate is > 0 and < 0.5))
            throw new BundleException(fail($"featureMemory.falsePositiveRate {rate} is not above 0 and below 0.5"));
        if (!(threshold > median))
            throw new BundleException(fail($"featureMemory.voxelThreshold {threshold} must exceed voxelMedian {median}"));
        var statistics = section.NormalImageStatistics ?? throw new BundleException(fail("manifest.json has no 'featureMemory.normalImageStatistics'"));
        if (statistics.Count == 0 || statistics.Any(s => !double.IsFinite(s)))
            throw new BundleException(fail("featureMemory.normalImageStatistics must hold one finite number per normal volume"));
        var rule = section.ImageStatistic switch
        {
            null => ImageStatisticRule.BrainQuantile,
            PeakKey => ImageStatisticRule.Peak,
            SidedPeakKey => ImageStatisticRule.SidedPeak,
            var other => throw new BundleException(fail($"featureMemory.imageStatistic '{other}' is not one this build knows ('{SidedPeakKey}', '{PeakKey}', or absent for the brain's 99.99th percentile)")),
        };
        SidePeaks? sideReferences = null;
        if (rule == ImageStatisticRule.SidedPeak)
        {
            if (section is not { BrightPeakReference: { } bright, DarkPeakReference: { } dark } || !double.IsFinite(bright) || !double.IsFinite(dark))
                throw new BundleException(fail($"featureMemory.imageStatistic '{SidedPeakKey}' needs finite 'featureMemory.brightPeakReference' and 'featureMemory.darkPeakReference'"));
            sideReferences = new SidePeaks(bright, dark);
        }
        else if (section.BrightPeakReference is not null || section.DarkPeakReference is not null)
            throw new BundleException(fail($"featureMemory.brightPeakReference and darkPeakReference belong to imageStatistic '{SidedPeakKey}', not '{section.ImageStatistic ?? "(absent)"}'"));
        var quantiles = (section.VoxelQuantiles ?? []).Select(q => new QuantilePoint(q.Level ?? double.NaN, q.Value ?? double.NaN)).ToList();
        if (quantiles.Any(q => !double.IsFinite(q.Level) || !double.IsFinite(q.Value)))
            throw new BundleException(fail("featureMemory.voxelQuantiles: every entry needs a finite 'level' and 'value'"));
        var unlike = (section.UnlikeNormals ?? []).Select(u => u is { Index: { } index, ShareFlagged: { } share }
                && index >= 0 && index < statistics.Count && double.IsFinite(share) && share is >= 0 and <= 1
                ? new UnlikeNormal(index, share)
                : throw new BundleException(fail($"featureMemory.unlikeNormals: every entry needs an 'index' of a normal (0 to {statistics.Count - 1}) and a 'shareFlagged' from 0 to 1")))
            .ToList();
        var (massLevel, perScan) = (section.FindingMassLevel, section.FalseFindingsPerScan);
        if (massLevel is null != perScan is null)
            throw new BundleException(fail("manifest.json has one of 'featureMemory.findingMassLevel' and 'featureMemory.falseFindingsPerScan' without the other"));
        if (massLevel is { } m && (!(m >= 0) || !double.IsFinite(m)))
            throw new BundleException(fail($"featureMemory.findingMassLevel {m} must be a finite number of 0 or more"));
        if (perScan is { } p && (!(p >= 0) || !double.IsFinite(p)))
            throw new BundleException(fail($"featureMemory.falseFindingsPerScan {p} must be a finite number of 0 or more"));
        return new VoxelCalibration(rate, median, threshold, quantiles, statistics, section.CalibrationVoxels ?? 0, rule, unlike, massLevel, perScan, sideReferences);
    }
}
