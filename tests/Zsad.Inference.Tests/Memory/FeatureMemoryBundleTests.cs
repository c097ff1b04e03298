using System.Diagnostics;
using System.Text.Json.Nodes;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Synthetic;
using Zsad.Inference.Backbones;
using Zsad.Inference.Bundles;
using Zsad.Inference.Cli;
using Zsad.Inference.Detection;
using Zsad.Inference.Engine;
using Zsad.Inference.Memory;
using Xunit.Abstractions;

namespace Zsad.Inference.Tests.Memory;

/// <summary>The built-in resnet18-memory detector written as a feature-memory bundle and run from it, on 3 mm
/// synthetic subjects of ch2bet (Debian mricron-data), as DetectorTests uses.</summary>
public sealed class FeatureMemoryBundleTests(ITestOutputHelper output)
{
    private static readonly EngineOptions Cpu = new() { PreferCuda = false, MaxBatch = 4 };

    private static readonly Lazy<(IReadOnlyList<Volume<float>> Refs, TemplateStudy.Case Case)> Data = new(() =>
    {
        Peers.RequireCh2Bet();
        var template = TemplateBrain.Downsample(TemplateBrain.LoadTemplate(), 3);
        var refs = TemplateStudy.References(template, 2);
        var test = TemplateStudy.TestCases(template, lesionCases: 1, normalCases: 0, minRadiusMm: 12, maxRadiusMm: 12)[0];
        return (refs, test);
    });

    [Fact]
    public void FeatureMemoryBundle_RoundTrip_GivesTheMapOfTheInMemoryBuild()
    {
        var (refs, c) = Data.Value;
        using var dir = new TempDir();
        var normals = dir.Sub("normals");
        for (var v = 0; v < refs.Count; v++)
            NiftiWriter.Write(refs[v], Path.Combine(normals, $"ref{v}.nii.gz"));

        var clock = Stopwatch.StartNew();
        using var backbone = ResNet18Backbone.Load(options: Cpu);
        using var inMemory = ResNetMemoryDetector.Build(NormalReferences.Load(normals).Volumes.Select(v => v.Volume).ToList(), backbone);
        var buildSeconds = clock.Elapsed.TotalSeconds;
        var bundleDir = MemoryBankBuilder.Build(ResNetMemoryDetector.DetectorName, normals, dir.File("resnet-memory"), engine: Cpu);
        clock.Restart();
        using var loaded = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu);
        var loadSeconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"start-up: bank built from {refs.Count} normals {buildSeconds:F1} s, loaded from the bundle {loadSeconds:F1} s");

        Assert.Equal(inMemory.Bank.SliceCount, loaded.Bank.SliceCount);
        Assert.Equal(inMemory.Calibration, loaded.Calibration);
        Assert.NotNull(inMemory.Positions);
        Assert.Equal(inMemory.Positions.Mean, loaded.Positions!.Mean);
        Assert.Equal(inMemory.Positions.Std, loaded.Positions.Std);
        Assert.NotNull(inMemory.Fine);
        Assert.Equal(inMemory.Fine, loaded.Fine);
        Assert.Equal(inMemory.Options.FineWeight, loaded.Options.FineWeight);
        Assert.Equal(inMemory.Options.FineRadius, loaded.Options.FineRadius);
        Assert.NotNull(inMemory.Intensity);
        Assert.Equal(inMemory.Intensity.Voxels, loaded.Intensity!.Voxels);
        Assert.Equal(inMemory.Intensity.Lower, loaded.Intensity.Lower);
        Assert.Equal(inMemory.Intensity.Upper, loaded.Intensity.Upper);
        Assert.Equal(inMemory.Options.IntensityWeight, loaded.Options.IntensityWeight);
        Assert.NotNull(inMemory.Range);
        Assert.Equal(inMemory.Range.Lower, loaded.Range!.Lower);
        Assert.Equal(inMemory.Range.Upper, loaded.Range.Upper);
        Assert.Equal(inMemory.Options.RangeWeight, loaded.Options.RangeWeight);
        Assert.NotNull(inMemory.Roughness);
        Assert.Equal(inMemory.Roughness.Lower, loaded.Roughness!.Lower);
        Assert.Equal(inMemory.Roughness.Upper, loaded.Roughness.Upper);
        Assert.Equal(inMemory.Options.RoughnessWeight, loaded.Options.RoughnessWeight);
        Assert.NotNull(inMemory.Blob);
        Assert.Equal(inMemory.Blob.Lower, loaded.Blob!.Lower);
        Assert.Equal(inMemory.Blob.Upper, loaded.Blob.Upper);
        Assert.Equal(inMemory.Options.BlobWeight, loaded.Options.BlobWeight);
        Assert.Equal(inMemory.Options.PatchCap, loaded.Options.PatchCap);
        Assert.NotNull(inMemory.CoreLevel);
        Assert.Equal(inMemory.CoreLevel, loaded.CoreLevel);
        Assert.Equal(inMemory.Options.CoreQuantile, loaded.Options.CoreQuantile);
        Assert.Equal(inMemory.Options.EdgeReachMm, loaded.Options.EdgeReachMm);
        Assert.Equal(inMemory.Options.DarkRimMm, loaded.Options.DarkRimMm);
        var expected = inMemory.Detect(c.Image, c.Brain);
        var actual = loaded.Detect(c.Image, c.Brain);
        output.WriteLine($"map max {expected.Map.Data.Max():F3}, image score {expected.ImageScore:F3}");
        Assert.Contains(expected.Map.Data, v => v > 0.05f);
        for (var v = 0; v < expected.Map.Data.Length; v++)
            Assert.True(Math.Abs(expected.Map.Data[v] - actual.Map.Data[v]) <= 1e-5, $"voxel {v}: in memory {expected.Map.Data[v]}, from bundle {actual.Map.Data[v]}");
        Assert.Equal(expected.ImageScore, actual.ImageScore, 5);
    }

    [Fact]
    public void Catalog_FeatureMemoryBundle_RunsWithoutNormals_AndRefusesOtherViews()
    {
        var (refs, _) = Data.Value;
        using var dir = new TempDir();
        var normals = dir.Sub("normals");
        NiftiWriter.Write(refs[0], Path.Combine(normals, "ref0.nii.gz"));
        var bundleDir = MemoryBankBuilder.Build(ResNetMemoryDetector.DetectorName, normals, dir.File("resnet-memory"), sliceStep: 6, engine: Cpu);
        Directory.Delete(normals, recursive: true); // the bundle must not need them

        using (var detector = Assert.IsType<ResNetMemoryDetector>(DetectorCatalog.Create(bundleDir, null, out var references)))
        {
            Assert.StartsWith($"memory bank in {bundleDir} (1 normal volumes, ", references);
            Assert.Equal(6, BundleLoader.Load(bundleDir).Manifest.MemorySource!.SliceStep);
        }
        var ex = Assert.Throws<ArgumentException>(() => DetectorCatalog.Create(bundleDir, null, out _, views: "axial,coronal"));
        Assert.Contains("holds a memory of axial slices only", ex.Message);
    }

    [Fact]
    public void FeatureMemoryBundle_MissingCalibration_IsRefusedNamingTheKey()
    {
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir);
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"calibrationP999\"", "\"calibrationP99\"", StringComparison.Ordinal));

        var ex = Assert.Throws<BundleException>(() => FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu));
        Assert.EndsWith("manifest.json has no 'featureMemory.calibrationP999'", ex.Message);
    }

    [Fact]
    public void FeatureMemoryBundle_PositionStatisticsOfTheWrongShape_AreRefusedNamingTheKey() =>
        Assert.EndsWith("featureMemory.positionStatistics shape [2, 24, 784] must be [2, 25, 784]",
            RefusalOf(section => section["positionStatistics"]!["shape"] = new JsonArray(2, 24, 784)));

    [Fact]
    public void FeatureMemoryBundle_BuiltBeforeTheFineDetail_RunsOnTheCoarseGridAlone()
    {
        var (_, c) = Data.Value;
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir);
        EditSection(manifestPath, section =>
        {
            foreach (var key in new[] { "fineWeight", "fineRadius", "fineMean", "fineStd", "fineBank" })
                Assert.True(section.Remove(key), key);
        });

        using var withFine = FeatureMemoryBundle.Load(BundleLoader.Load(SmallBundle(dir, "again").BundleDir), Cpu);
        using var old = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu);
        Assert.Equal(0, old.Options.FineWeight);
        Assert.Null(old.Fine);
        Assert.NotNull(withFine.Fine);
        var coarseMap = old.Detect(c.Image, c.Brain).Map.Data;
        var fineMap = withFine.Detect(c.Image, c.Brain).Map.Data;
        Assert.Contains(coarseMap, v => v > 0.05f);
        Assert.True(coarseMap.Zip(fineMap).Any(p => Math.Abs(p.First - p.Second) > 0.01f), "the fine detail changes the map");
    }

    [Theory]
    [InlineData("fineStd", "manifest.json has part of the fine detail but no 'featureMemory.fineStd'")]
    [InlineData("fineBank", "manifest.json has part of the fine detail but no 'featureMemory.fineBank'")]
    public void FeatureMemoryBundle_PartOfTheFineDetail_IsRefusedNamingTheMissingKey(string key, string message) =>
        Assert.EndsWith(message, RefusalOf(section => section.Remove(key)));

    [Fact]
    public void FeatureMemoryBundle_FineBankOfTheWrongShape_IsRefusedNamingTheKey()
    {
        var slices = 0;
        var message = RefusalOf(section =>
        {
            slices = (int)section["slices"]!["shape"]![0]!;
            section["fineBank"]!["shape"] = new JsonArray(slices * 3136, 32);
        });
        Assert.EndsWith($"featureMemory.fineBank shape [{slices * 3136}, 32] must be [{slices * 3136}, 64] ({slices} slices of 3136 fine cells)", message);
    }

    [Fact]
    public void FeatureMemoryBundle_BuiltBeforeTheIntensityTail_RunsWithoutIt() => AssertOldBundleRunsWithout("the intensity tail", ["intensityTail"],
        d => d.Options.IntensityWeight, d => d.Intensity is not null, new MemoryDetectorOptions().IntensityWeight);

    [Theory]
    [InlineData("lower", null, "manifest.json has 'featureMemory.intensityTail' but no 'featureMemory.intensityTail.lower'")]
    [InlineData("voxels", null, "manifest.json has 'featureMemory.intensityTail' but no 'featureMemory.intensityTail.voxels'")]
    [InlineData("weight", -1.0, "featureMemory.intensityTail.weight -1 must be a finite number above 0")]
    [InlineData("step", 0.5, "featureMemory.intensityTail: ")]
    public void FeatureMemoryBundle_BrokenIntensityTail_IsRefusedNamingTheKey(string key, double? value, string message) =>
        Assert.Contains(message, RefusalOf(section => SetOrRemove(section["intensityTail"]!.AsObject(), key, value)));

    [Fact]
    public void FeatureMemoryBundle_BuiltBeforeTheIntensityRange_RunsWithoutIt() => AssertOldBundleRunsWithout("the intensity range",
        ["rangeWeight", "intensityRange"], d => d.Options.RangeWeight, d => d.Range is not null, new MemoryDetectorOptions().RangeWeight);

    [Fact]
    public void FeatureMemoryBundle_BuiltBeforeTheRoughnessRange_RunsWithoutIt() => AssertOldBundleRunsWithout("the roughness range",
        ["roughnessWeight", "roughnessRange"], d => d.Options.RoughnessWeight, d => d.Roughness is not null, new MemoryDetectorOptions().RoughnessWeight);

    [Fact]
    public void FeatureMemoryBundle_BuiltBeforeTheBlobnessRange_RunsWithoutIt() => AssertOldBundleRunsWithout("the blobness range",
        ["blobWeight", "blobRange"], d => d.Options.BlobWeight, d => d.Blob is not null, new MemoryDetectorOptions().BlobWeight);

    /// <summary>A bundle whose manifest lacks a term's keys (as one built before the term) loads with the term's
    /// weight 0 and without it; the same bundle with the keys has the default weight, and the term changes the map.</summary>
    private static void AssertOldBundleRunsWithout(string term, string[] keys, Func<ResNetMemoryDetector, double> weight,
        Func<ResNetMemoryDetector, bool> hasTerm, double defaultWeight)
    {
        var (_, c) = Data.Value;
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir);
        EditSection(manifestPath, section =>
        {
            foreach (var key in keys)
                Assert.True(section.Remove(key), $"the bundle has '{key}'");
        });

        using var current = FeatureMemoryBundle.Load(BundleLoader.Load(SmallBundle(dir, "again").BundleDir), Cpu);
        using var old = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu);
        Assert.Equal(0, weight(old));
        Assert.False(hasTerm(old), $"{term} is off in the old bundle");
        Assert.Equal(defaultWeight, weight(current));
        Assert.True(hasTerm(current), $"{term} is on in the current bundle");
        var without = old.Detect(c.Image, c.Brain).Map.Data;
        var with = current.Detect(c.Image, c.Brain).Map.Data;
        Assert.True(without.Zip(with).Any(p => Math.Abs(p.First - p.Second) > 0.01f), $"{term} changes the map");
    }

    /// <summary>Without 'patchCap' (a bundle built before it) the patch score is not capped; the stored cap is the
    /// default and, where it bites (set low here: the small bundle's scores stay under the default), it changes the map.</summary>
    [Fact]
    public void FeatureMemoryBundle_BuiltBeforeThePatchCap_RunsWithoutIt()
    {
        var (_, c) = Data.Value;
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir);
        EditSection(manifestPath, section =>
        {
            Assert.Equal(new MemoryDetectorOptions().PatchCap, (double)section["patchCap"]!);
            section.Remove("patchCap");
            // The delineation cuts relative to each finding's peak: a capped peak keeps more of its flank.
            section.Remove("delineationFraction");
        });
        using var old = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu);
        EditSection(manifestPath, section => section["patchCap"] = 0.5);
        using var capped = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu);
        Assert.Equal(0, old.Options.PatchCap);
        Assert.Equal(0.5, capped.Options.PatchCap);
        var without = old.Detect(c.Image, c.Brain).Map.Data;
        var with = capped.Detect(c.Image, c.Brain).Map.Data;
        Assert.True(without.Zip(with).Any(p => Math.Abs(p.First - p.Second) > 0.01f), "the cap changes the map");
        Assert.True(without.Zip(with).All(p => p.Second <= p.First + 1e-6f), "the cap only lowers scores");
    }

    /// <summary>A bundle calibrated on smoothed maps stores its sigma and runs with it; without the key (a bundle built
    /// before it) nothing is smoothed, since its calibration was not; a broken sigma is refused naming the key.</summary>
    [Fact]
    public void FeatureMemoryBundle_SliceAxisSigma_IsStoredAndReadBack_AbsentMeansNone()
    {
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir, sliceAxisSigmaMm: 3);
        using (var smoothed = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
            Assert.Equal(3, smoothed.Options.SliceAxisSigmaMm);
        EditSection(manifestPath, section => section.Remove("sliceAxisSigmaMm"));
        using (var old = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
            Assert.Equal(0, old.Options.SliceAxisSigmaMm);
        Assert.Contains("featureMemory.sliceAxisSigmaMm -2 must be a finite number above 0", RefusalOf(section => section["sliceAxisSigmaMm"] = -2));
    }

    /// <summary>The delineation fraction given to the build is stored and read back; without the key (built before it)
    /// findings are not delineated; a fraction outside (0, 1) or one without the voxel calibration it is relative to
    /// is refused.</summary>
    [Fact]
    public void FeatureMemoryBundle_Delineation_IsStoredAndReadBack_AbsentMeansNone()
    {
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir, delineationFraction: 0.3);
        using (var current = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
            Assert.Equal(0.3, current.Options.DelineationFraction);
        EditSection(manifestPath, section => section.Remove("delineationFraction"));
        using (var old = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
            Assert.Equal(0, old.Options.DelineationFraction);
        Assert.Contains("featureMemory.delineationFraction 1 must lie above 0 and below 1", RefusalOf(section => section["delineationFraction"] = 1.0));
        Assert.Contains("has 'featureMemory.delineationFraction' but no voxel calibration", RefusalOf(section =>
        {
            foreach (var key in new[] { "falsePositiveRate", "voxelMedian", "voxelThreshold", "voxelQuantiles", "calibrationVoxels", "normalImageStatistics" })
                section.Remove(key);
        }));
    }

    /// <summary>The core quantile given to the build and its level are stored and read back; without both keys (built
    /// before the core cut) findings have no core cut; a half, a quantile outside (0, 1) or a level without the voxel
    /// calibration is refused naming the key.</summary>
    [Fact]
    public void FeatureMemoryBundle_CoreLevel_IsStoredAndReadBack_AbsentMeansNone()
    {
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir, coreQuantile: 0.8);
        double stored = 0;
        EditSection(manifestPath, section => stored = (double)section["coreLevel"]!);
        using (var current = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
        {
            Assert.Equal(0.8, current.Options.CoreQuantile);
            Assert.Equal(stored, current.CoreLevel);
        }
        EditSection(manifestPath, section =>
        {
            section.Remove("coreQuantile");
            section.Remove("coreLevel");
            section.Remove("edgeReachMm");
        });
        using (var old = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
        {
            Assert.Equal(0, old.Options.CoreQuantile);
            Assert.Null(old.CoreLevel);
        }
        Assert.Contains("has one of 'featureMemory.coreQuantile' and 'featureMemory.coreLevel' without the other", RefusalOf(section => section.Remove("coreLevel")));
        Assert.Contains("featureMemory.coreQuantile 1 must lie above 0 and below 1", RefusalOf(section => section["coreQuantile"] = 1.0));
        Assert.Contains("has 'featureMemory.coreLevel' but no voxel calibration", RefusalOf(section =>
        {
            foreach (var key in new[] { "falsePositiveRate", "voxelMedian", "voxelThreshold", "voxelQuantiles", "calibrationVoxels", "normalImageStatistics", "delineationFraction" })
                section.Remove(key);
        }));
    }

    /// <summary>The edge reach of the build is stored and read back; without the key (built before it) the core cut
    /// decides alone; a reach of 0 or less, or an edge without the core cut, is refused naming the key.</summary>
    [Fact]
    public void FeatureMemoryBundle_EdgeReach_IsStoredAndReadBack_AbsentMeansNone()
    {
        AssertDefaultIsStored_AndAbsentMeansOff("edgeReachMm", o => o.EdgeReachMm);
        Assert.Contains("featureMemory.edgeReachMm 0 must be a finite number of mm above 0", RefusalOf(section => section["edgeReachMm"] = 0.0));
        Assert.Contains("has 'featureMemory.edgeReachMm' but no core cut", RefusalOf(section =>
        {
            section["edgeReachMm"] = 2.0;
            section.Remove("coreQuantile");
            section.Remove("coreLevel");
        }));
    }

    /// <summary>The dark rim of the build is stored and read back; without the key (built before it) the mask is
    /// scored as given; a rim of 0 or less is refused naming the key.</summary>
    [Fact]
    public void FeatureMemoryBundle_DarkRim_IsStoredAndReadBack_AbsentMeansNone()
    {
        AssertDefaultIsStored_AndAbsentMeansOff("darkRimMm", o => o.DarkRimMm);
        Assert.Contains("featureMemory.darkRimMm -1 must be a finite number of mm above 0", RefusalOf(section => section["darkRimMm"] = -1.0));
    }

    /// <summary>A default build stores the default of an option under <paramref name="key"/>, loads it back, and a
    /// bundle without the key (built before it) loads with the option off (0).</summary>
    private static void AssertDefaultIsStored_AndAbsentMeansOff(string key, Func<MemoryDetectorOptions, double> option)
    {
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir);
        double stored = 0;
        EditSection(manifestPath, section => stored = (double)section[key]!);
        Assert.Equal(option(new MemoryDetectorOptions()), stored);
        using (var current = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
            Assert.Equal(stored, option(current.Options));
        EditSection(manifestPath, section => section.Remove(key));
        using (var old = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
            Assert.Equal(0, option(old.Options));
    }

    /// <summary>`build-memory --false-findings` sets the finding-mass cut: it says so, stores the level and the false
    /// findings per scan it was set for, and the loaded detector cuts at that level; a default build stores neither
    /// and keeps every finding; one key without the other, or a negative value, is refused naming the key.</summary>
    [Fact]
    public void BuildMemory_FalseFindings_StoresTheFindingMassLevel_AndWithoutItEveryFindingIsKept()
    {
        using var dir = new TempDir();
        var normals = dir.Sub("normals");
        NiftiWriter.Write(Data.Value.Refs[0], Path.Combine(normals, "ref0.nii.gz"));
        var text = new StringWriter();
        ModelsCommandHandler.BuildMemory(ResNetMemoryDetector.DetectorName, normals, dir.File("cut"), sliceStep: "8", maxBankMb: null, text, falseFindings: "0.5");
        Assert.Contains("finding-mass cut: a scan keeps the findings whose mass (height above the level times mm3) exceeds ", text.ToString());
        var manifestPath = Path.Combine(dir.File("cut"), BundleLoader.ManifestFileName);
        double level = -1, perScan = -1;
        EditSection(manifestPath, section => (level, perScan) = ((double)section["findingMassLevel"]!, (double)section["falseFindingsPerScan"]!));
        Assert.True(level >= 0);
        Assert.Equal(0.5, perScan);
        using (var loaded = FeatureMemoryBundle.Load(BundleLoader.Load(dir.File("cut")), Cpu))
            Assert.Equal(level, loaded.Voxel!.FindingMassLevel);

        var (defaultDir, defaultManifest) = SmallBundle(dir);
        var keys = new List<string>();
        EditSection(defaultManifest, section => keys.AddRange(section.Select(p => p.Key)));
        Assert.DoesNotContain("findingMassLevel", keys);
        using (var plain = FeatureMemoryBundle.Load(BundleLoader.Load(defaultDir), Cpu))
            Assert.Null(plain.Voxel!.FindingMassLevel);
        Assert.Contains("has one of 'featureMemory.findingMassLevel' and 'featureMemory.falseFindingsPerScan' without the other",
            RefusalOf(section => section["findingMassLevel"] = 3.0));
        Assert.Contains("featureMemory.findingMassLevel -1 must be a finite number of 0 or more", RefusalOf(section =>
        {
            section["findingMassLevel"] = -1.0;
            section["falseFindingsPerScan"] = 0.5;
        }));
        Assert.Contains("featureMemory.falseFindingsPerScan -1 must be a finite number of 0 or more", RefusalOf(section =>
        {
            section["findingMassLevel"] = 3.0;
            section["falseFindingsPerScan"] = -1.0;
        }));
    }

    /// <summary>A build's image statistic is the sided peak and says so, with the normals' median peak of each side;
    /// "peak" (built before it) reads back as the overall peak; without the key (built before that) the statistic is
    /// the brain's 99.99th percentile, against which the stored normals' statistics were measured; an unknown statistic,
    /// a sided peak without its references, or references without it, are refused naming the keys.</summary>
    [Fact]
    public void FeatureMemoryBundle_ImageStatistic_IsStoredAndReadBack_AbsentMeansTheBrainQuantile()
    {
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir);
        string? stored = null;
        double? bright = null, dark = null;
        EditSection(manifestPath, section => (stored, bright, dark) = ((string?)section["imageStatistic"], (double?)section["brightPeakReference"], (double?)section["darkPeakReference"]));
        Assert.Equal("sided-peak", stored);
        using (var current = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
        {
            Assert.Equal(ImageStatisticRule.SidedPeak, current.Voxel!.ImageRule);
            Assert.Equal(new SidePeaks(bright!.Value, dark!.Value), current.Voxel.SideReferences);
        }
        Assert.Contains("featureMemory.imageStatistic 'sided-peak' needs finite 'featureMemory.brightPeakReference' and 'featureMemory.darkPeakReference'",
            RefusalOf(section => section.Remove("darkPeakReference")));
        Assert.Contains("featureMemory.brightPeakReference and darkPeakReference belong to imageStatistic 'sided-peak', not 'peak'",
            RefusalOf(section => section["imageStatistic"] = "peak"));
        EditSection(manifestPath, section =>
        {
            section["imageStatistic"] = "peak";
            section.Remove("brightPeakReference");
            section.Remove("darkPeakReference");
        });
        using (var peak = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
            Assert.Equal(ImageStatisticRule.Peak, peak.Voxel!.ImageRule);
        EditSection(manifestPath, section => section.Remove("imageStatistic"));
        using (var old = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
            Assert.Equal(ImageStatisticRule.BrainQuantile, old.Voxel!.ImageRule);
        Assert.Contains("featureMemory.imageStatistic 'max' is not one this build knows", RefusalOf(section => section["imageStatistic"] = "max"));
    }

    /// <summary>Normals left out of the level as unlike the others are stored with their place and share, absent when
    /// there are none (and in bundles built before it), and read back; an entry naming no normal is refused.</summary>
    [Fact]
    public void FeatureMemoryBundle_UnlikeNormals_AreStoredAndReadBack_AndABrokenEntryIsRefused()
    {
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir);
        var keys = new List<string>();
        EditSection(manifestPath, section =>
        {
            keys.AddRange(section.Select(p => p.Key));
            section["unlikeNormals"] = new JsonArray(new JsonObject { ["index"] = 0, ["shareFlagged"] = 0.037 });
        });
        Assert.DoesNotContain("unlikeNormals", keys); // one normal is never named
        using (var loaded = FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu))
            Assert.Equal([new UnlikeNormal(0, 0.037)], loaded.Voxel!.UnlikeNormals!);
        Assert.Contains("featureMemory.unlikeNormals: every entry needs an 'index' of a normal (0 to 0)",
            RefusalOf(section => section["unlikeNormals"] = new JsonArray(new JsonObject { ["index"] = 1, ["shareFlagged"] = 0.5 })));
        Assert.Contains("featureMemory.unlikeNormals: every entry needs",
            RefusalOf(section => section["unlikeNormals"] = new JsonArray(new JsonObject { ["index"] = 0 })));
    }

    [Theory]
    [InlineData("patchCap", -1.0, "featureMemory.patchCap -1 must be a finite number above 0")]
    [InlineData("positionStatistics", null, "manifest.json has 'featureMemory.patchCap' but no 'featureMemory.positionStatistics'")]
    public void FeatureMemoryBundle_BrokenPatchCap_IsRefusedNamingTheKey(string key, double? value, string message) =>
        Assert.Contains(message, RefusalOf(section => SetOrRemove(section, key, value)));

    [Theory]
    [InlineData("rangeWeight", null, "manifest.json has 'featureMemory.intensityRange' but no 'featureMemory.rangeWeight'")]
    [InlineData("intensityRange", null, "manifest.json has 'featureMemory.rangeWeight' but no 'featureMemory.intensityRange'")]
    [InlineData("rangeWeight", -1.0, "featureMemory.rangeWeight -1 must be a finite number above 0")]
    [InlineData("roughnessWeight", null, "manifest.json has 'featureMemory.roughnessRange' but no 'featureMemory.roughnessWeight'")]
    [InlineData("roughnessRange", null, "manifest.json has 'featureMemory.roughnessWeight' but no 'featureMemory.roughnessRange'")]
    [InlineData("roughnessWeight", 0.0, "featureMemory.roughnessWeight 0 must be a finite number above 0")]
    [InlineData("blobWeight", null, "manifest.json has 'featureMemory.blobRange' but no 'featureMemory.blobWeight'")]
    [InlineData("blobRange", null, "manifest.json has 'featureMemory.blobWeight' but no 'featureMemory.blobRange'")]
    public void FeatureMemoryBundle_BrokenPlaceRange_IsRefusedNamingTheKey(string key, double? value, string message) =>
        Assert.Contains(message, RefusalOf(section => SetOrRemove(section, key, value)));

    [Theory]
    [InlineData("intensityRange")]
    [InlineData("roughnessRange")]
    [InlineData("blobRange")]
    public void FeatureMemoryBundle_PlaceRangeOfTheWrongShape_IsRefusedNamingTheKey(string key) =>
        Assert.EndsWith($"featureMemory.{key} shape [2, 25, 3135] must be [2, 25, 3136]",
            RefusalOf(section => section[key]!["shape"] = new JsonArray(2, 25, 3135)));

    private static void SetOrRemove(JsonObject json, string key, double? value)
    {
        if (value is { } v)
            json[key] = v;
        else
            json.Remove(key);
    }

    /// <summary>The message with which loading a small bundle is refused after <paramref name="edit"/> changed its
    /// manifest's featureMemory section.</summary>
    private static string RefusalOf(Action<JsonObject> edit)
    {
        using var dir = new TempDir();
        var (bundleDir, manifestPath) = SmallBundle(dir);
        EditSection(manifestPath, edit);
        return Assert.Throws<BundleException>(() => FeatureMemoryBundle.Load(BundleLoader.Load(bundleDir), Cpu)).Message;
    }

    /// <summary>Rewrites a bundle's manifest after <paramref name="edit"/> changed its featureMemory section.</summary>
    private static void EditSection(string manifestPath, Action<JsonObject> edit)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        edit(manifest["featureMemory"]!.AsObject());
        File.WriteAllText(manifestPath, manifest.ToJsonString());
    }

    [Fact]
    public void BuildMemory_FromOneNormal_SaysTheBundleIsUncalibrated_AndItLoadsAsSuch()
    {
        using var dir = new TempDir();
        var normals = dir.Sub("one-normal");
        NiftiWriter.Write(Data.Value.Refs[0], Path.Combine(normals, "ref0.nii.gz"));
        var text = new StringWriter();

        ModelsCommandHandler.BuildMemory(ResNetMemoryDetector.DetectorName, normals, dir.File("one"), sliceStep: "8", maxBankMb: null, text);

        Assert.Contains("WARNING: this bundle counts as UNCALIBRATED (no BINARY SEG sent without --allow-uncalibrated): built from one normal scan", text.ToString());
        Assert.Contains("core cut: each finding keeps its voxels whose voxel-scale score reaches raw ", text.ToString());
        Assert.DoesNotContain("finding-mass cut", text.ToString()); // off unless asked for
        var loaded = DetectorCatalog.Load(dir.File("one"), normalsDirectory: null);
        using var _ = (IDisposable)loaded.Detector;
        Assert.False(loaded.Trust.Calibrated);
        Assert.StartsWith("UNCALIBRATED: the detector was built from one normal scan", loaded.Trust.Warning);
    }

    /// <summary>Three normals alike and one of another contrast (inverted inside the head) in the folder: the build
    /// names that file, leaves it out of the level, and the loaded bundle's description says so.</summary>
    [Fact]
    public void BuildMemory_NamesANormalUnlikeTheOthers_AndLeavesItOutOfTheLevel()
    {
        using var dir = new TempDir();
        var normals = dir.Sub("normals-with-another-contrast");
        var alike = TemplateStudy.References(TemplateBrain.Downsample(TemplateBrain.LoadTemplate(), 3), 3);
        for (var n = 0; n < alike.Count; n++)
            NiftiWriter.Write(alike[n], Path.Combine(normals, $"ref{n}.nii.gz"));
        var inverted = alike[0].Like<float>();
        var max = alike[0].Data.Max();
        for (var i = 0; i < inverted.Data.Length; i++)
            inverted.Data[i] = alike[0].Data[i] > 0 ? max - alike[0].Data[i] : 0;
        NiftiWriter.Write(inverted, Path.Combine(normals, "zz-other-contrast.nii.gz"));
        var text = new StringWriter();

        ModelsCommandHandler.BuildMemory(ResNetMemoryDetector.DetectorName, normals, dir.File("bundle"), sliceStep: "8", maxBankMb: null, text);

        output.WriteLine(text.ToString());
        Assert.Contains("WARNING: normal 'zz-other-contrast.nii.gz' is unlike the others: the level they set flags ", text.ToString());
        Assert.DoesNotContain("WARNING: normal 'ref", text.ToString());
        var loaded = DetectorCatalog.Load(dir.File("bundle"), normalsDirectory: null);
        using var _ = (IDisposable)loaded.Detector;
        Assert.True(loaded.Trust.Calibrated);
        Assert.Equal(3, Assert.Single(loaded.Trust.Voxel!.UnlikeNormals!).Index);
        Assert.Contains("normal #4 unlike the others, left out of the level", loaded.Trust.Describe());
    }

    /// <summary>A bundle of one normal with a sparse bank (every 8th slice): quick to build, for manifest edits.</summary>
    private static (string BundleDir, string ManifestPath) SmallBundle(TempDir dir, string name = "resnet-memory", double? sliceAxisSigmaMm = null,
        double? delineationFraction = null, double? coreQuantile = null)
    {
        var normals = dir.Sub("normals-" + name);
        NiftiWriter.Write(Data.Value.Refs[0], Path.Combine(normals, "ref0.nii.gz"));
        var bundleDir = MemoryBankBuilder.Build(ResNetMemoryDetector.DetectorName, normals, dir.File(name), sliceStep: 8, engine: Cpu,
            resNet: new ResNetMemoryOverrides(sliceAxisSigmaMm, delineationFraction, coreQuantile));
        return (bundleDir, Path.Combine(bundleDir, BundleLoader.ManifestFileName));
    }
}
