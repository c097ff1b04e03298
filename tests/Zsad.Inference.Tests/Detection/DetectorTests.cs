using Xunit.Abstractions;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Backbones;
using Zsad.Inference.Detection;
using Zsad.Inference.Engine;
using Zsad.Imaging.Synthetic;
using Zsad.Reporter.Metrics;
using Zsad.Inference.Tests.Support;

namespace Zsad.Inference.Tests.Detection;

/// <summary>Detectors on 3 mm synthetic subjects of ch2bet (Debian mricron-data): two references (flipped and
/// unflipped, study seeds 11 and 12) and one test subject (seed 101, not flipped) with one inserted lesion.</summary>
public sealed class DetectorTests(ITestOutputHelper output)
{
    private static readonly Lazy<(IReadOnlyList<Volume<float>> Refs, TemplateStudy.Case Case, TemplateStudy.Case Healthy)> Data = new(() =>
    {
        Assert.True(File.Exists(TemplateBrain.DefaultTemplatePath), "install Debian's mricron-data (ch2bet.nii.gz)");
        var template = TemplateBrain.Downsample(TemplateBrain.LoadTemplate(), 3);
        var refs = TemplateStudy.References(template, 2);
        var tests = TemplateStudy.TestCases(template, lesionCases: 1, normalCases: 1, minRadiusMm: 12, maxRadiusMm: 12);
        return (refs, tests[0], tests[1]);
    });

    [Fact]
    public void MemoryDetector_FindsLesion_BetterThanChance()
    {
        var (refs, c, _) = Data.Value;
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        using var detector = ResNetMemoryDetector.Build(refs, backbone);
        var result = detector.Detect(c.Image, c.Brain);
        AssertMapShape(result, c);
        var auroc = BrainAuroc(result.Map, c);
        // Measured 0.99+ at 2 mm in the study; a modest bound keeps the test about the method, not a lucky seed.
        Assert.True(auroc > 0.8, $"voxel AUROC {auroc:F3}");
    }

    /// <summary>The coarse descriptor sees a lesion through a receptive field of tens of millimetres, so its map
    /// stays high in a ring of normal tissue around the lesion; the fine detail must separate lesion voxels from that
    /// ring better (AUROC of lesion vs the ring within 6 mm outside it, both detectors' own maps).</summary>
    [Fact]
    public void MemoryDetector_FineDetail_SeparatesTheLesionFromTheRingAroundIt() => AssertTermSharpensTheOutline("the fine detail",
        new MemoryDetectorOptions { FineWeight = 0, IntensityWeight = 0, RangeWeight = 0, RoughnessWeight = 0, BlobWeight = 0 },
        new MemoryDetectorOptions { IntensityWeight = 0, RangeWeight = 0, RoughnessWeight = 0, BlobWeight = 0 }, d => d.Fine is not null);

    /// <summary>Patch features mark a halo around a lesion; the intensity tail scores each voxel by its own value, so
    /// lesion voxels must stand out from the ring of normal tissue within 6 mm better with it than without.</summary>
    [Fact]
    public void MemoryDetector_IntensityTail_SeparatesTheLesionFromTheRingAroundIt() => AssertTermSharpensTheOutline("the intensity tail",
        new MemoryDetectorOptions { IntensityWeight = 0, RangeWeight = 0, RoughnessWeight = 0, BlobWeight = 0 },
        new MemoryDetectorOptions { RangeWeight = 0, RoughnessWeight = 0, BlobWeight = 0 }, d => d.Intensity is not null);

    /// <summary>With eight normals the calibrated level is low and the patch score flags a halo of normal tissue
    /// around a lesion (docs/detectors.md); the default cap must leave the flagged region closer to the lesion: a
    /// higher Dice at the decision level, with fewer ring voxels flagged.</summary>
    [Fact]
    public void MemoryDetector_PatchCap_FlagsLessOfTheRingAroundALesion()
    {
        var (_, c, _) = Data.Value;
        var normals = TemplateStudy.DevelopmentNormals(TemplateBrain.Downsample(TemplateBrain.LoadTemplate(), 3), 8);
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        var ring = Ring(c, voxels: 2);
        (double Dice, int Ring) Flagged(MemoryDetectorOptions options)
        {
            using var detector = ResNetMemoryDetector.Build(normals, backbone, options);
            var map = detector.Detect(c.Image, c.Brain).Map.Data;
            var dice = Confusion.Count(map, 0.5f, c.Lesion.Data.Select(v => v != 0).ToArray()).Dice;
            return (dice, map.Where((value, v) => value >= 0.5f && ring[v]).Count());
        }
        var without = Flagged(new MemoryDetectorOptions { PatchCap = 0 });
        var with = Flagged(new MemoryDetectorOptions());
        var measured = $"Dice without the cap {without.Dice:F3} ({without.Ring} ring voxels flagged), with it {with.Dice:F3} ({with.Ring})";
        output.WriteLine(measured);
        Assert.True(with.Dice > without.Dice && with.Ring < without.Ring, measured);
    }

    /// <summary>The cap bounds what the patch terms give a voxel: without intensity terms no held-out normal voxel
    /// (the calibration's stored quantiles) scores above it, though uncapped some do.</summary>
    [Fact]
    public void MemoryDetector_PatchCap_BoundsEveryPatchScore()
    {
        var (refs, _, _) = Data.Value;
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        var patchOnly = new MemoryDetectorOptions { IntensityWeight = 0, RangeWeight = 0, RoughnessWeight = 0, BlobWeight = 0, PatchCap = 0 };
        using var uncapped = ResNetMemoryDetector.Build(refs, backbone, patchOnly);
        var top = uncapped.Voxel!.Quantiles.Max(q => q.Value);
        var cap = uncapped.Voxel.Threshold / 2;
        using var capped = ResNetMemoryDetector.Build(refs, backbone, patchOnly with { PatchCap = cap });
        output.WriteLine($"uncapped top quantile {top:F3}, cap {cap:F3}, capped top {capped.Voxel!.Quantiles.Max(q => q.Value):F3}");
        Assert.True(top > cap, $"uncapped, the top stored quantile {top} exceeds the cap {cap}");
        Assert.All(capped.Voxel.Quantiles, q => Assert.True(q.Value <= cap + 1e-6, $"quantile {q.Level}: {q.Value} above the cap {cap}"));
    }

    /// <summary>The slice-axis smoothing changes only the calibration's held-out maps (every slice of each normal is
    /// scored, then smoothed): the bank and the position scale are those of the unsmoothed build.</summary>
    [Fact]
    public void MemoryDetector_SliceAxisSigma_CalibratesOnSmoothedMapsOfEverySlice_WithTheSameBank()
    {
        var (refs, _, _) = Data.Value;
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        using var plain = ResNetMemoryDetector.Build(refs, backbone, new MemoryDetectorOptions { SliceAxisSigmaMm = 0 });
        using var smoothed = ResNetMemoryDetector.Build(refs, backbone, new MemoryDetectorOptions { SliceAxisSigmaMm = 3 });
        Assert.Equal(plain.Bank.Slices.Select(s => s.Slice), smoothed.Bank.Slices.Select(s => s.Slice));
        Assert.Equal(plain.Positions!.Mean, smoothed.Positions!.Mean);
        Assert.Equal(plain.Positions.Std, smoothed.Positions.Std);
        output.WriteLine($"held-out voxels: plain {plain.Voxel!.Voxels}, smoothed {smoothed.Voxel!.Voxels}; thresholds {plain.Voxel.Threshold:F3}, {smoothed.Voxel.Threshold:F3}");
        Assert.True(smoothed.Voxel.Voxels > 1.8 * plain.Voxel.Voxels, "every slice of each normal is calibrated, not every second");
        Assert.NotEqual(plain.Voxel.Threshold, smoothed.Voxel.Threshold);
    }

    /// <summary>Detect smooths the raw map along the slices inside the brain before calibrating it: with a linear
    /// calibration (nothing clamped) the smoothed detector's map is the plain detector's map smoothed.</summary>
    [Fact]
    public void MemoryDetector_SliceAxisSigma_SmoothsTheRawMapBeforeTheCalibration()
    {
        var (refs, c, _) = Data.Value;
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        using var built = ResNetMemoryDetector.Build(refs, backbone);
        var linear = new VoxelCalibration(1e-4, -1000, 1000, [], [0.0], 1);
        ResNetMemoryDetector With(double sigma) => ResNetMemoryDetector.FromBank(backbone, ownsBackbone: false, built.Bank, built.Calibration,
            built.Options with { SliceAxisSigmaMm = sigma }, linear, built.Positions, built.Fine, built.Intensity, built.Range, built.Roughness, built.Blob);
        using var plain = With(0);
        using var smoothed = With(3);
        var expected = plain.Detect(c.Image, c.Brain).Map;
        var unsmoothed = (float[])expected.Data.Clone();
        // Brain slices outside the crop's range are never scored (0 in the map, every scored voxel is near 0.25 here):
        // they take no part in the smoothing.
        for (var v = 0; v < expected.Data.Length; v++)
            if (c.Brain.Data[v] != 0 && expected.Data[v] == 0)
                expected.Data[v] = float.NaN;
        Zsad.Inference.Detection.Views.ThroughPlaneSmoothing.WithinMask(expected, c.Brain, 3);
        for (var v = 0; v < expected.Data.Length; v++)
            if (float.IsNaN(expected.Data[v]))
                expected.Data[v] = 0;
        var actual = smoothed.Detect(c.Image, c.Brain).Map.Data;
        for (var v = 0; v < actual.Length; v++)
            Assert.True(Math.Abs(expected.Data[v] - actual[v]) <= 1e-5, $"voxel {v}: plain map smoothed {expected.Data[v]}, smoothed detector {actual[v]}");
        Assert.True(actual.Where((value, v) => Math.Abs(value - unsmoothed[v]) > 1e-4).Count() > 100, "the smoothing changes the map");
    }

    /// <summary>The delineation only lowers scores, and only of flagged voxels: the flagged region shrinks, each
    /// finding keeps its peak (the lesion stays found), and nothing below the level changes.</summary>
    [Fact]
    public void MemoryDetector_Delineation_ShrinksFindingsToTheirCores_AndKeepsTheLesion()
    {
        var (refs, c, _) = Data.Value;
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        using var built = ResNetMemoryDetector.Build(refs, backbone);
        Assert.Equal(0.5, built.Options.DelineationFraction);
        ResNetMemoryDetector With(double fraction) => ResNetMemoryDetector.FromBank(backbone, ownsBackbone: false, built.Bank, built.Calibration,
            built.Options with { DelineationFraction = fraction }, built.Voxel, built.Positions, built.Fine, built.Intensity, built.Range, built.Roughness, built.Blob);
        using var whole = With(0);
        // This small, coarse case has no halo for the default 0.5 to cut: a cut near the peak shows the mechanics.
        using var tight = With(0.9);
        AssertTrimsFindings_AndKeepsTheLesion("the delineation", whole, tight, c);
    }

    /// <summary>The map with <paramref name="cut"/> is the map with <paramref name="uncut"/> but for flagged voxels
    /// lowered under the level: fewer are flagged, and the lesion is still found.</summary>
    private void AssertTrimsFindings_AndKeepsTheLesion(string name, ResNetMemoryDetector uncut, ResNetMemoryDetector cut, TemplateStudy.Case c)
    {
        var without = uncut.Detect(c.Image, c.Brain).Map.Data;
        var with = cut.Detect(c.Image, c.Brain).Map.Data;
        for (var v = 0; v < with.Length; v++)
            Assert.True(with[v] == without[v] || (without[v] >= 0.5f && with[v] < 0.5f), $"voxel {v}: {without[v]} became {with[v]}");
        var flagged = (Without: without.Count(m => m >= 0.5f), With: with.Count(m => m >= 0.5f));
        var lesionPeak = with.Where((_, v) => c.Lesion.Data[v] != 0).Max();
        output.WriteLine($"flagged voxels without {name} {flagged.Without}, with it {flagged.With}; lesion peak {lesionPeak:F3}");
        Assert.True(flagged.With < flagged.Without, $"{name} trims the findings");
        Assert.True(lesionPeak >= 0.5f, "the lesion is still found");
    }

    /// <summary>The build sets the core level from the held-out normals; the core cut only lowers flagged voxels, trims
    /// the findings and keeps the lesion found; with a core level no voxel reaches, no finding has a core and the map is
    /// the one without the cut.</summary>
    [Fact]
    public void MemoryDetector_CoreCut_OnlyLowersFlaggedVoxels_AndSparesFindingsWithoutACore()
    {
        var (refs, c, _) = Data.Value;
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        using var built = ResNetMemoryDetector.Build(refs, backbone);
        Assert.Equal(0.9, built.Options.CoreQuantile);
        Assert.True(built.CoreLevel > 0, $"the core level {built.CoreLevel} is a positive voxel-scale score");
        ResNetMemoryDetector With(double? coreLevel) => ResNetMemoryDetector.FromBank(backbone, ownsBackbone: false, built.Bank, built.Calibration,
            built.Options, built.Voxel, built.Positions, built.Fine, built.Intensity, built.Range, built.Roughness, built.Blob, coreLevel);
        using var uncut = With(null);
        // This small, coarse case has no halo for the built level to cut (its bright lesion's voxel-scale scores are far
        // above it): a level nearer the lesion's own scores shows the mechanics.
        using var cut = With(6 * built.CoreLevel);
        using var unreachable = With(1e9);
        output.WriteLine($"core level {built.CoreLevel:F3}, cut at six times it");
        AssertTrimsFindings_AndKeepsTheLesion("the core cut", uncut, cut, c);
        Assert.Equal(uncut.Detect(c.Image, c.Brain).Map.Data, unreachable.Detect(c.Image, c.Brain).Map.Data);
    }

    /// <summary>The build measures each held-out normal's sided peak as Detect measures a test volume's: the lesion
    /// volume's lies above every normal's (the smallest p-value two normals give), and a healthy subject's image score
    /// lies below the lesion volume's.</summary>
    [Fact]
    public void MemoryDetector_ImageStatistic_IsTheSidedPeak_CalibratedOnTheHeldOutNormals()
    {
        var (refs, c, healthy) = Data.Value;
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        using var detector = ResNetMemoryDetector.Build(refs, backbone);
        var voxel = detector.Voxel!;
        Assert.Equal(ImageStatisticRule.SidedPeak, voxel.ImageRule);
        Assert.NotNull(voxel.SideReferences);
        Assert.Equal(refs.Count, voxel.NormalImageStatistics.Count);
        var lesion = detector.Detect(c.Image, c.Brain);
        var normal = detector.Detect(healthy.Image, healthy.Brain);
        output.WriteLine($"normals' peaks {string.Join(", ", voxel.NormalImageStatistics.Select(s => s.ToString("F2")))} (level {voxel.Threshold:F2}); image score lesion {lesion.ImageScore:F3} (p {lesion.ImagePValue:F3}), healthy {normal.ImageScore:F3} (p {normal.ImagePValue:F3})");
        Assert.Equal(1.0 / (refs.Count + 1), lesion.ImagePValue);
        Assert.True(normal.ImageScore < lesion.ImageScore, "the healthy subject scores below the lesion");
    }

    /// <summary>Heads lie pitched differently in the scanner, so one axial slice cuts the front of the brain higher than
    /// the back. A patch must then find its match in the normals' slices some millimetres above or below its own
    /// normalised height: with the default slice window a healthy subject pitched by 8° is flagged less than with the
    /// old, narrower one (docs/detectors.md, held-out draw 10).</summary>
    [Fact]
    public void MemoryDetector_HeightWindow_LeavesAPitchedHealthySubjectCleaner()
    {
        var (refs, _, healthy) = Data.Value;
        var pitched = Pitch(healthy.Image, degrees: 8);
        var brain = BrainMask.NonZero(pitched);
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        double Flagged(MemoryDetectorOptions options)
        {
            using var detector = ResNetMemoryDetector.Build(refs, backbone, options);
            var map = detector.Detect(pitched, brain).Map.Data;
            return (double)map.Where((m, v) => brain.Data[v] != 0 && m >= 0.5f).Count() / brain.Data.Count(b => b != 0);
        }
        var narrow = Flagged(new MemoryDetectorOptions { HeightWindow = 0.04 });
        var wide = Flagged(new MemoryDetectorOptions());
        var measured = $"share of the pitched subject's brain flagged: window 0.04 {narrow:P3}, default {new MemoryDetectorOptions().HeightWindow} {wide:P3}";
        output.WriteLine(measured);
        Assert.True(wide < narrow, measured);
    }

    /// <summary>The volume turned about its left-right axis through its centre (trilinear; background where the
    /// nearest source voxel is background, so the brain's edge stays crisp).</summary>
    private static Volume<float> Pitch(Volume<float> volume, double degrees)
    {
        var result = volume.Like<float>();
        var (cos, sin) = (Math.Cos(degrees * Math.PI / 180), Math.Sin(degrees * Math.PI / 180));
        double cy = (volume.SizeY - 1) / 2.0, cz = (volume.SizeZ - 1) / 2.0;
        for (var k = 0; k < volume.SizeZ; k++)
            for (var j = 0; j < volume.SizeY; j++)
            {
                var y = cy + cos * (j - cy) - sin * (k - cz);
                var z = cz + sin * (j - cy) + cos * (k - cz);
                if (y < 0 || z < 0 || y > volume.SizeY - 1 || z > volume.SizeZ - 1)
                    continue;
                int y0 = Math.Min((int)y, volume.SizeY - 2), z0 = Math.Min((int)z, volume.SizeZ - 2);
                double fy = y - y0, fz = z - z0;
                for (var i = 0; i < volume.SizeX; i++)
                {
                    if (volume[i, (int)Math.Round(y), (int)Math.Round(z)] == 0)
                        continue;
                    result[i, j, k] = (float)((volume[i, y0, z0] * (1 - fy) + volume[i, y0 + 1, z0] * fy) * (1 - fz)
                        + (volume[i, y0, z0 + 1] * (1 - fy) + volume[i, y0 + 1, z0 + 1] * fy) * fz);
                }
            }
        return result;
    }

    /// <summary>With the dark rim on, the voxels at the brain mask's edge darker than its 1st percentile (partial
    /// background) are not scored: their map is 0 (some were scored without the rim), the calibration counts fewer
    /// held-out voxels (the normals' rims are left out), and the lesion inside is still found.</summary>
    [Fact]
    public void MemoryDetector_DarkRim_LeavesThePartialBackgroundEdgeUnscored()
    {
        var (refs, c, _) = Data.Value;
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        var rimMm = c.Image.Spacing.X; // one voxel layer at 3 mm
        using var without = ResNetMemoryDetector.Build(refs, backbone, new MemoryDetectorOptions { DarkRimMm = 0 });
        using var with = ResNetMemoryDetector.Build(refs, backbone, new MemoryDetectorOptions { DarkRimMm = rimMm });
        var kept = BrainMask.WithoutDarkRim(c.Brain, c.Image, rimMm);
        var map = with.Detect(c.Image, c.Brain).Map.Data;
        var mapWithout = without.Detect(c.Image, c.Brain).Map.Data;
        var rimVoxels = Enumerable.Range(0, map.Length).Where(v => c.Brain.Data[v] != 0 && kept.Data[v] == 0).ToList();
        output.WriteLine($"dark rim: {rimVoxels.Count} of {c.Brain.Data.Count(b => b != 0)} brain voxels; held-out voxels {without.Voxel!.Voxels} without, {with.Voxel!.Voxels} with");
        Assert.NotEmpty(rimVoxels);
        Assert.All(rimVoxels, v => Assert.Equal(0f, map[v]));
        Assert.Contains(rimVoxels, v => mapWithout[v] > 0);
        Assert.True(with.Voxel.Voxels < without.Voxel.Voxels, "the normals' rims are left out of the calibration");
        Assert.True(map.Where((_, v) => c.Lesion.Data[v] != 0).Max() >= 0.5f, "the lesion is still found");
    }

    /// <summary>With the finding-mass cut (off by default) the calibration holds a finding-mass level; a scan's map keeps the findings
    /// heavier than it and loses the others (on a healthy scan and on a lesion scan, whose maps
    /// are otherwise those without the cut), some are lost, and the lesion is still found.</summary>
    [Fact]
    public void MemoryDetector_FindingMassCut_KeepsOnlyFindingsHeavierThanTheNormals()
    {
        var (refs, c, healthy) = Data.Value;
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        // A false-positive rate of 1 % leaves many light findings in healthy brains at 3 mm.
        using var without = ResNetMemoryDetector.Build(refs, backbone, new MemoryDetectorOptions { FalsePositiveRate = 0.01 });
        using var with = ResNetMemoryDetector.Build(refs, backbone, new MemoryDetectorOptions { FalsePositiveRate = 0.01, FalseFindingsPerScan = 0.5 });
        Assert.Null(without.Voxel!.FindingMassLevel); // off by default
        Assert.Equal(0.5, with.Voxel!.FalseFindingsPerScan);
        var minMass = with.Voxel.FindingMassLevel!.Value;
        output.WriteLine($"finding-mass level: {minMass:F2}");
        var dropped = 0;
        foreach (var scan in new[] { healthy, c })
        {
            var all = without.Detect(scan.Image, scan.Brain).Map;
            var kept = with.Detect(scan.Image, scan.Brain).Map;
            // The maps are calibrated alike (0.5 at the level, 0 at the median): a finding's mass in map units is its raw
            // mass, unless the clamp at 1 lowered some of its voxels, and then the raw mass is larger.
            var (masses, labels) = FindingMass.Of(all, scan.Brain, 0.5, 0);
            var clamped = new bool[masses.Length];
            for (var v = 0; v < labels.Length; v++)
                if (labels[v] != 0 && all.Data[v] >= 1)
                    clamped[labels[v] - 1] = true;
            for (var v = 0; v < labels.Length; v++)
            {
                if (labels[v] == 0)
                {
                    Assert.True(kept.Data[v] < 0.5f || scan.Brain.Data[v] == 0, $"voxel {v} is flagged with the cut only");
                    continue;
                }
                var finding = labels[v] - 1;
                if (masses[finding] > minMass)
                    Assert.True(kept.Data[v] >= 0.5f, $"voxel {v} of a finding of mass {masses[finding]:F2} was dropped");
                else if (!clamped[finding])
                {
                    Assert.True(kept.Data[v] < 0.5f, $"voxel {v} of a finding of mass {masses[finding]:F2} was kept");
                    dropped++;
                }
            }
        }
        output.WriteLine($"finding voxels dropped on the two scans: {dropped}");
        Assert.True(dropped > 0, "no finding was light enough to drop");
        Assert.True(with.Detect(c.Image, c.Brain).Map.Data.Where((_, v) => c.Lesion.Data[v] != 0).Max() >= 0.5f, "the lesion is still found");
    }

    [Fact]
    public void MemoryDetector_BadFalseFindingsPerScan_IsRefusedBeforeAnyWork()
    {
        var (refs, _, _) = Data.Value;
        Assert.StartsWith("the false findings per healthy scan must be a finite number of 0 or more, not -1",
            Assert.Throws<ArgumentException>(() => ResNetMemoryDetector.Build(refs, options: new MemoryDetectorOptions { FalseFindingsPerScan = -1 })).Message);
        Assert.StartsWith("the finding-mass cut (false findings per scan) needs the slice-axis smoothing on",
            Assert.Throws<ArgumentException>(() => ResNetMemoryDetector.Build(refs, options: new MemoryDetectorOptions { FalseFindingsPerScan = 0.5, SliceAxisSigmaMm = 0 })).Message);
    }

    [Fact]
    public void MemoryDetector_BadDarkRim_IsRefusedBeforeAnyWork()
    {
        var (refs, _, _) = Data.Value;
        Assert.StartsWith("the dark rim must be a finite number of mm, 0 (off) or more, not -1",
            Assert.Throws<ArgumentException>(() => ResNetMemoryDetector.Build(refs, options: new MemoryDetectorOptions { DarkRimMm = -1 })).Message);
    }

    [Fact]
    public void MemoryDetector_BadDelineationFraction_IsRefusedBeforeAnyWork()
    {
        var (refs, _, _) = Data.Value;
        Assert.StartsWith("the delineation fraction must be 0 (off) or more and below 1, not 1",
            Assert.Throws<ArgumentException>(() => ResNetMemoryDetector.Build(refs, options: new MemoryDetectorOptions { DelineationFraction = 1 })).Message);
    }

    [Theory]
    [InlineData(-1.0, true, "the patch cap must be a finite number of 0 (none) or more, not -1")]
    [InlineData(double.NaN, true, "the patch cap must be a finite number of 0 (none) or more, not NaN")]
    [InlineData(5.0, false, "the patch cap counts standard deviations of the position scale: it needs the position scale on (or a cap of 0)")]
    public void MemoryDetector_BadPatchCap_IsRefusedBeforeAnyWork(double cap, bool positionScale, string message)
    {
        var (refs, _, _) = Data.Value;
        var options = new MemoryDetectorOptions { PatchCap = cap, PositionScale = positionScale };
        Assert.StartsWith(message, Assert.Throws<ArgumentException>(() => ResNetMemoryDetector.Build(refs, options: options)).Message);
    }

    private void AssertTermSharpensTheOutline(string term, MemoryDetectorOptions without, MemoryDetectorOptions with, Func<ResNetMemoryDetector, bool> hasTerm)
    {
        var (refs, c, _) = Data.Value;
        using var backbone = ResNet18Backbone.Load(options: new EngineOptions { PreferCuda = false, MaxBatch = 4 });
        using var before = ResNetMemoryDetector.Build(refs, backbone, without);
        using var after = ResNetMemoryDetector.Build(refs, backbone, with);
        Assert.False(hasTerm(before), $"{term} is off");
        Assert.True(hasTerm(after), $"{term} is on");

        var ring = Ring(c, voxels: 2);
        var beforeAuroc = LesionVersusRingAuroc(before.Detect(c.Image, c.Brain).Map, c, ring);
        var afterAuroc = LesionVersusRingAuroc(after.Detect(c.Image, c.Brain).Map, c, ring);
        var measured = $"lesion ({c.Kind}) vs ring AUROC: without {term} {beforeAuroc:F3}, with it {afterAuroc:F3}";
        output.WriteLine(measured);
        Assert.True(afterAuroc > beforeAuroc + 0.02, measured);
    }

    // Brain voxels outside the lesion within `voxels` steps (6-connected) of it.
    private static bool[] Ring(TemplateStudy.Case c, int voxels)
    {
        var (nx, ny, nz) = (c.Lesion.SizeX, c.Lesion.SizeY, c.Lesion.SizeZ);
        var inside = c.Lesion.Data.Select(v => v != 0).ToArray();
        var grown = (bool[])inside.Clone();
        for (var step = 0; step < voxels; step++)
        {
            var next = (bool[])grown.Clone();
            for (var z = 0; z < nz; z++)
                for (var y = 0; y < ny; y++)
                    for (var x = 0; x < nx; x++)
                    {
                        var i = (z * ny + y) * nx + x;
                        if (grown[i])
                            continue;
                        next[i] = (x > 0 && grown[i - 1]) || (x < nx - 1 && grown[i + 1]) || (y > 0 && grown[i - nx]) || (y < ny - 1 && grown[i + nx])
                            || (z > 0 && grown[i - nx * ny]) || (z < nz - 1 && grown[i + nx * ny]);
                    }
            grown = next;
        }
        return grown.Select((g, i) => g && !inside[i] && c.Brain.Data[i] != 0).ToArray();
    }

    private static double LesionVersusRingAuroc(Volume<float> map, TemplateStudy.Case c, bool[] ring)
    {
        var scores = new List<float>();
        var lesion = new List<bool>();
        for (var v = 0; v < map.Data.Length; v++)
        {
            if (c.Lesion.Data[v] == 0 && !ring[v])
                continue;
            scores.Add(map.Data[v]);
            lesion.Add(c.Lesion.Data[v] != 0);
        }
        var voxels = new VoxelScores();
        voxels.Add(scores.ToArray(), lesion.ToArray());
        return voxels.Auroc();
    }

    [Fact]
    public void IntensityBaseline_MapHasInputGeometry()
    {
        var (refs, c, _) = Data.Value;
        var result = IntensityBaselineDetector.Build(refs).Detect(c.Image, c.Brain);
        AssertMapShape(result, c);
        Assert.True(BrainAuroc(result.Map, c) > 0.5);
    }

    [Fact]
    public void MapWrittenAsNifti_KeepsTheInputGeometry()
    {
        var (_, c, _) = Data.Value;
        var oblique = c.Image.WithAffine(Affine.FromRowMajor([0, -3, 0, 90, 3, 0, 0, -120, 0, 0, 3, -70]));
        var result = IntensityBaselineDetector.SelfReferenced().Detect(oblique);
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "map.nii.gz");
        NiftiWriter.Write(result.Map, path);
        var read = NiftiReader.Read(path);
        Assert.Equal(NiftiDataType.Float32, read.DataType);
        Assert.True(read.Volume.HasSameGrid(oblique));
    }

    private static void AssertMapShape(AnomalyResult result, TemplateStudy.Case c)
    {
        Assert.True(result.Map.HasSameGrid(c.Image));
        Assert.InRange(result.ImageScore, 0, 1);
        for (var v = 0; v < result.Map.Data.Length; v++)
        {
            Assert.InRange(result.Map.Data[v], 0f, 1f);
            if (c.Brain.Data[v] == 0)
                Assert.Equal(0f, result.Map.Data[v]);
        }
    }

    private static double BrainAuroc(Volume<float> map, TemplateStudy.Case c)
    {
        var scores = new List<float>();
        var lesion = new List<bool>();
        for (var v = 0; v < map.Data.Length; v++)
        {
            if (c.Brain.Data[v] == 0)
                continue;
            scores.Add(map.Data[v]);
            lesion.Add(c.Lesion.Data[v] != 0);
        }
        var voxels = new VoxelScores();
        voxels.Add(scores.ToArray(), lesion.ToArray());
        return voxels.Auroc();
    }
}
