using System.Diagnostics;
using System.Globalization;
using System.Text;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Synthetic;
using Zsad.Inference.Detection;
using Zsad.Reporter.Metrics;

namespace Zsad.Cli.Study;

/// <summary>`zsad models study --held-out`: the default detector, built and calibrated (leave one normal out) from N
/// site normals of the held-out generator (<see cref="HeldOutStudy"/>), on its test volumes. Nothing here picks a
/// setting: the detector runs with its defaults, and the decision level is the calibrated 0.5.</summary>
public static class HeldOutEvaluation
{
    public sealed record Scores(int Normals, double BuildSeconds, double VoxelAuroc, double F1Max, double F1MaxThreshold, double MeanDice, double StdDice,
        IReadOnlyDictionary<double, (int Found, int Total)> ByDiameter, (int Found, int Total) Cortical, double HealthyFlagged, double ImageAuroc,
        IReadOnlyList<(string Case, int Lesions, double Dice, double ImageScore, double? PValue, double Flagged, double Seconds)> PerCase,
        (double Features, double Search, double Map) MeanStageSeconds);

    /// <param name="mapsDirectory">When given, each test volume's calibrated map (CASE_map.nii.gz, float) and its lesions
    /// (CASE_lesions.nii.gz, uint8: lesion i of the case is i + 1, in the order the study prints them) are written
    /// there, for analysis outside the study.</param>
    public static Scores Evaluate(IReadOnlyList<Volume<float>> normals, IReadOnlyList<HeldOutStudy.Case> cases, TextWriter? progress = null,
        MemoryDetectorOptions? options = null, string? mapsDirectory = null)
    {
        if (mapsDirectory is not null)
            Directory.CreateDirectory(mapsDirectory);
        var normalCount = normals.Count;
        var clock = Stopwatch.StartNew();
        using var detector = ResNetMemoryDetector.Build(normals, options: options);
        var build = clock.Elapsed.TotalSeconds;
        progress?.WriteLine($"{normalCount} normals: bank and calibration in {build:F0} s; {detector.Voxel}");
        var pooled = new VoxelScores();
        var perCase = new List<(string, int, double, double, double?, double, double)>();
        var byDiameter = HeldOutStudy.DiametersMm.ToDictionary(d => d, _ => (Found: 0, Total: 0));
        (int Found, int Total) cortical = (0, 0);
        long healthyFlagged = 0, healthyVoxels = 0;
        var imageScores = new List<(double Score, bool Lesion)>();
        var stages = new StageTimings();
        detector.Timings = stages;
        foreach (var c in cases)
        {
            clock.Restart();
            var result = detector.Detect(c.Image, c.Brain);
            var seconds = clock.Elapsed.TotalSeconds;
            if (mapsDirectory is not null)
                WriteMaps(mapsDirectory, c, result.Map);
            var brainScores = new List<float>();
            var brainTruth = new List<bool>();
            long flagged = 0, falseNear = 0, falseFar = 0;
            var near = Near(c.Truth, NearMm);
            for (var v = 0; v < c.Brain.Data.Length; v++)
            {
                if (c.Brain.Data[v] == 0)
                    continue;
                brainScores.Add(result.Map.Data[v]);
                brainTruth.Add(c.Truth.Data[v] != 0);
                if (result.Map.Data[v] < SegmentationLevel)
                    continue;
                flagged++;
                if (c.Truth.Data[v] != 0)
                    continue;
                if (near[v])
                    falseNear++;
                else
                    falseFar++;
            }
            pooled.Add(brainScores.ToArray(), brainTruth.ToArray());
            var dice = double.NaN;
            // Each lesion's line follows its volume's line, so they are written once the volume's are known.
            var lesionLines = new List<string>();
            if (c.Lesions.Count == 0)
            {
                healthyFlagged += flagged;
                healthyVoxels += brainScores.Count;
            }
            else
            {
                dice = Confusion.Count(brainScores.ToArray(), SegmentationLevel, brainTruth.ToArray()).Dice;
                foreach (var lesion in c.Lesions)
                {
                    // The lesion-wise rule of docs/metrics.md: found when any segmented voxel overlaps it.
                    float peak = 0;
                    var size = 0;
                    for (var v = 0; v < lesion.Mask.Data.Length; v++)
                    {
                        if (lesion.Mask.Data[v] == 0)
                            continue;
                        size++;
                        peak = Math.Max(peak, result.Map.Data[v]);
                    }
                    var found = peak >= SegmentationLevel;
                    lesionLines.Add(FormattableString.Invariant($"    lesion {lesion.DiameterMm} mm {lesion.Kind}{(lesion.Cortical ? " cortical" : "")}, {size} voxels, peak {peak:F2}{(found ? "" : ", MISSED")}"));
                    var d = byDiameter[lesion.DiameterMm];
                    byDiameter[lesion.DiameterMm] = (d.Found + (found ? 1 : 0), d.Total + 1);
                    if (lesion.Cortical)
                        cortical = (cortical.Found + (found ? 1 : 0), cortical.Total + 1);
                }
            }
            imageScores.Add((result.ImageScore, c.Lesions.Count > 0));
            perCase.Add((c.Name, c.Lesions.Count, dice, result.ImageScore, result.ImagePValue, flagged / (double)brainScores.Count, seconds));
            progress?.WriteLine(FormattableString.Invariant($"  {c.Name}: {c.Lesions.Count} lesions, Dice {dice:F3}, image score {result.ImageScore:F3}, p {result.ImagePValue:G3}, flagged {flagged / (double)brainScores.Count:P3} (outside lesions: {falseNear} voxels within {NearMm} mm of one, {falseFar} farther), {seconds:F1} s"));
            foreach (var line in lesionLines)
                progress?.WriteLine(line);
        }
        var dices = perCase.Where(p => p.Item2 > 0).Select(p => p.Item3).ToArray();
        var mean = dices.Average();
        var std = Math.Sqrt(dices.Select(d => (d - mean) * (d - mean)).Average());
        var f1 = pooled.F1Max();
        var image = new VoxelScores();
        image.Add(imageScores.Select(s => (float)s.Score).ToArray(), imageScores.Select(s => s.Lesion).ToArray());
        var n = cases.Count;
        return new Scores(normalCount, build, pooled.Auroc(), f1.F1, f1.Threshold, mean, std, byDiameter, cortical,
            healthyVoxels == 0 ? double.NaN : healthyFlagged / (double)healthyVoxels, image.Auroc(), perCase, 
            (Stage(stages, StageTimings.Preprocess, StageTimings.Encoder) / n, Stage(stages, StageTimings.MemorySearch) / n, Stage(stages, StageTimings.Assembly) / n));
    }

    private static void WriteMaps(string directory, HeldOutStudy.Case c, Volume<float> map)
    {
        var lesions = c.Truth.Like<byte>();
        for (var i = 0; i < c.Lesions.Count; i++)
        {
            var mask = c.Lesions[i].Mask.Data;
            for (var v = 0; v < mask.Length; v++)
                if (mask[v] != 0)
                    lesions.Data[v] = (byte)(i + 1);
        }
        NiftiWriter.Write(map, Path.Combine(directory, $"{c.Name}_map.nii.gz"));
        NiftiWriter.Write(lesions, Path.Combine(directory, $"{c.Name}_lesions.nii.gz"));
    }

    private static double Stage(StageTimings timings, params string[] stages) => timings.Stages.Where(s => stages.Contains(s.Stage)).Sum(s => s.Seconds);

    private const float SegmentationLevel = 0.5f;

    /// <summary>Where the false voxels of a segmentation lie: within this distance of a lesion (a halo around it)
    /// or farther (false findings).</summary>
    private const int NearMm = 5;

    /// <summary>Voxels within <paramref name="mm"/> of a mask voxel along each axis (a box, one pass per axis).</summary>
    private static bool[] Near(Volume<byte> mask, double mm)
    {
        var (nx, ny, nz) = (mask.SizeX, mask.SizeY, mask.SizeZ);
        var grown = mask.Data.Select(v => v != 0).ToArray();
        foreach (var (stride, size, spacing) in new[] { (1, nx, mask.Spacing.X), (nx, ny, mask.Spacing.Y), (nx * ny, nz, mask.Spacing.Z) })
        {
            var reach = (int)Math.Floor(mm / spacing);
            var source = (bool[])grown.Clone();
            for (var v = 0; v < source.Length; v++)
            {
                if (!source[v])
                    continue;
                var along = v / stride % size;
                for (var d = -Math.Min(reach, along); d <= Math.Min(reach, size - 1 - along); d++)
                    grown[v + d * stride] = true;
            }
        }
        return grown;
    }

    /// <param name="setting">Which draw: <see cref="HeldOutStudy.Development"/> (or its strong variant) for trying
    /// settings, a held-out draw to report them.</param>
    /// <param name="mapsDirectory">When given, the maps and lesion labels of each normal count go to its sub-folder
    /// "N-normals" (<see cref="Evaluate"/>).</param>
    public static string Run(int downsample, IReadOnlyList<int> normalCounts, HeldOutStudy.Setting setting, string? templatePath = null, TextWriter? progress = null,
        MemoryDetectorOptions? options = null, string? mapsDirectory = null)
    {
        var template = TemplateBrain.Downsample(TemplateBrain.LoadTemplate(templatePath), downsample);
        var cases = setting.Cases(template);
        progress?.WriteLine($"{setting.Name} study: template {template}; {cases.Count} test volumes, {cases.Sum(c => c.Lesions.Count)} lesions");
        var leftOut = string.Join("; ", cases.SelectMany(c => c.LeftOut.Select(l => FormattableString.Invariant($"{c.Name}: {l.DiameterMm} mm{(l.Cortical ? " cortical" : "")}"))));
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ci, $"Study {setting.Name}, {options ?? new MemoryDetectorOptions()}: template {template}; {cases.Count} test volumes ({cases.Count(c => c.Lesions.Count == 0)} lesion-free), {cases.Sum(c => c.Lesions.Count)} lesions{(leftOut.Length == 0 ? "" : $" (left out, fitting nowhere in the brain on this grid: {leftOut})")}; resnet18-memory defaults, decision level = calibrated 0.5 (FPR {VoxelCalibration.DefaultFalsePositiveRate:G3} per healthy voxel).");
        sb.AppendLine();
        sb.AppendLine("| site normals | voxel AUROC | F1-max (at) | Dice@cal mean ± std | lesion sens. " + string.Join(" / ", HeldOutStudy.DiametersMm.Select(d => d.ToString(ci) + " mm")) + " | sens. ≥ 5 mm | cortical | healthy voxels flagged | image AUROC | build s | s/volume (features / search / map) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var count in normalCounts)
        {
            var normals = setting.Normals(template, count);
            var s = Evaluate(normals, cases, progress, options, mapsDirectory is null ? null : Path.Combine(mapsDirectory, $"{count}-normals"));
            var big = s.ByDiameter.Where(kv => kv.Key >= 5).Aggregate((Found: 0, Total: 0), (a, kv) => (a.Found + kv.Value.Found, a.Total + kv.Value.Total));
            var perVolume = s.PerCase.Average(p => p.Seconds);
            sb.AppendLine(ci, $"| {count} | {s.VoxelAuroc:F4} | {s.F1Max:F3} ({s.F1MaxThreshold:F2}) | {s.MeanDice:F3} ± {s.StdDice:F3} | {string.Join(" / ", s.ByDiameter.OrderBy(kv => kv.Key).Select(kv => $"{kv.Value.Found}/{kv.Value.Total}"))} | {big.Found}/{big.Total} | {s.Cortical.Found}/{s.Cortical.Total} | {s.HealthyFlagged:P4} | {s.ImageAuroc:F3} | {s.BuildSeconds:F0} | {perVolume:F1} ({s.MeanStageSeconds.Features:F1} / {s.MeanStageSeconds.Search:F1} / {s.MeanStageSeconds.Map:F1}) |");
            progress?.WriteLine(sb.ToString().Split('\n')[^2]);
        }
        return sb.ToString();
    }
}
