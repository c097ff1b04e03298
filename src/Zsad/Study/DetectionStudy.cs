using System.Diagnostics;
using System.Globalization;
using System.Text;
using Zsad.Imaging;
using Zsad.Imaging.Synthetic;
using Zsad.Inference.Detection;
using Zsad.Inference.Detection.Views;
using Zsad.Reporter.Metrics;

namespace Zsad.Cli.Study;

/// <summary>The synthetic detection study of docs/detectors.md (`zsad models study`): both offline detectors on
/// TemplateStudy's cases, scored with the Reporter's metrics.</summary>
public static class DetectionStudy
{
    public sealed record DetectorScores(string Detector, double PooledAuroc, double MeanDice, double StdDice, double OracleDice,
        IReadOnlyDictionary<LesionKind, double> AurocByKind, IReadOnlyList<(string Case, double Auroc, double Dice, double ImageScore)> PerCase,
        IReadOnlyList<double> NormalImageScores);

    public static DetectorScores Evaluate(IAnomalyDetector detector, IReadOnlyList<TemplateStudy.Case> cases)
    {
        var pooledScores = new List<float>();
        var pooledLabels = new List<byte>();
        var perCase = new List<(string, double, double, double)>();
        var byKind = new Dictionary<LesionKind, (List<float> S, List<byte> L)>();
        var normalScores = new List<double>();
        foreach (var c in cases)
        {
            var result = detector.Detect(c.Image, c.Brain);
            if (!result.Map.HasSameGrid(c.Image))
                throw new InvalidOperationException("the map is not on the input's grid");
            if (c.Kind is null)
            {
                normalScores.Add(result.ImageScore);
                continue;
            }
            var s = new List<float>();
            var l = new List<byte>();
            for (var v = 0; v < c.Brain.Data.Length; v++)
            {
                if (c.Brain.Data[v] == 0)
                    continue;
                s.Add(result.Map.Data[v]);
                l.Add(c.Lesion.Data[v]);
            }
            var sArr = s.ToArray();
            var lArr = l.ToArray();
            perCase.Add((c.Name, Auroc(sArr, lArr), Dice(sArr, lArr, 0.5f), result.ImageScore));
            pooledScores.AddRange(s);
            pooledLabels.AddRange(l);
            if (!byKind.TryGetValue(c.Kind.Value, out var k))
                byKind[c.Kind.Value] = k = ([], []);
            k.S.AddRange(s);
            k.L.AddRange(l);
        }
        var scores = pooledScores.ToArray();
        var labels = pooledLabels.ToArray();
        var oracle = 0.0;
        for (var t = 0.05f; t < 1; t += 0.05f)
            oracle = Math.Max(oracle, perCase.Count == 0 ? 0 : Dice(scores, labels, t));
        var dices = perCase.Select(p => p.Item3).ToArray();
        var mean = dices.Length == 0 ? 0 : dices.Average();
        var std = dices.Length == 0 ? 0 : Math.Sqrt(dices.Select(d => (d - mean) * (d - mean)).Average());
        return new DetectorScores(detector.Name, Auroc(scores, labels), mean, std, oracle,
            byKind.ToDictionary(k => k.Key, k => Auroc(k.Value.S.ToArray(), k.Value.L.ToArray())), perCase, normalScores);
    }

    /// <summary>The whole study as markdown: references, test cases, both detectors.</summary>
    /// <param name="slicing">Views and through-plane smoothing of the memory detector (axial only, none by default).</param>
    public static string Run(int downsample = 1, int lesionCases = 6, int normalCases = 2, string? templatePath = null, TextWriter? progress = null,
        SlicingOptions? slicing = null)
    {
        slicing ??= SlicingOptions.Default;
        var template = TemplateBrain.Downsample(TemplateBrain.LoadTemplate(templatePath), downsample);
        progress?.WriteLine($"template {template}");
        var references = TemplateStudy.References(template);
        var cases = TemplateStudy.TestCases(template, lesionCases, normalCases);
        var results = new List<DetectorScores>();
        var clock = Stopwatch.StartNew();
        var memory = DetectorCatalog.FromNormals(ResNetMemoryDetector.DetectorName, references, slicing);
        var buildSeconds = clock.Elapsed.TotalSeconds;
        try
        {
            var axial = (memory as MultiViewDetector)?.Inner as ResNetMemoryDetector ?? (ResNetMemoryDetector)memory;
            progress?.WriteLine($"memory detector on {axial.Backbone.Engine.ExecutionProvider}; {slicing}; calibration (axial) {axial.Calibration}");
            clock.Restart();
            results.Add(Evaluate(memory, cases));
            progress?.WriteLine($"memory detector: bank(s) built in {buildSeconds:F0} s, {cases.Count} cases scored in {clock.Elapsed.TotalSeconds:F0} s");
        }
        finally
        {
            (memory as IDisposable)?.Dispose();
        }
        results.Add(Evaluate(IntensityBaselineDetector.Build(references), cases));
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine(ci, $"Template {template}; {references.Count} references; {lesionCases} lesion cases, {normalCases} lesion-free cases; memory detector {slicing}.");
        sb.AppendLine();
        sb.AppendLine("| detector | voxel AUROC (pooled) | AUROC bright | AUROC dark | AUROC texture | Dice@0.5 mean ± std | best-threshold Dice (oracle) | image score lesion (mean) | image score lesion-free (mean) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            string K(LesionKind k) => r.AurocByKind.TryGetValue(k, out var a) ? a.ToString("F3", ci) : "-";
            sb.AppendLine(ci, $"| {r.Detector} | {r.PooledAuroc:F3} | {K(LesionKind.Bright)} | {K(LesionKind.Dark)} | {K(LesionKind.Texture)} | {r.MeanDice:F3} ± {r.StdDice:F3} | {r.OracleDice:F3} | {(r.PerCase.Count == 0 ? 0 : r.PerCase.Average(p => p.ImageScore)):F3} | {(r.NormalImageScores.Count == 0 ? 0 : r.NormalImageScores.Average()):F3} |");
        }
        sb.AppendLine();
        sb.AppendLine("| case | radius mm | lesion voxels | " + string.Join(" | ", results.Select(r => $"{r.Detector} AUROC / Dice@0.5")) + " |");
        sb.AppendLine("|---|---|---|" + string.Concat(results.Select(_ => "---|")));
        foreach (var c in cases.Where(c => c.Kind is not null))
        {
            sb.Append(ci, $"| {c.Name} | {c.RadiusMm:F1} | {c.Lesion.Data.Count(b => b != 0)} |");
            foreach (var r in results)
            {
                var p = r.PerCase.First(x => x.Case == c.Name);
                sb.Append(ci, $" {p.Auroc:F3} / {p.Dice:F3} |");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static double Auroc(float[] scores, byte[] labels)
    {
        var voxels = new VoxelScores();
        voxels.Add(scores, Array.ConvertAll(labels, l => l != 0));
        return voxels.Auroc();
    }

    private static double Dice(float[] scores, byte[] labels, float threshold)
        => Confusion.Count(scores, threshold, Array.ConvertAll(labels, l => l != 0)).Dice;
}
