using System.Text.Json;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Synthetic;
using Zsad.Reporter.Cli;
using Zsad.Reporter.Evaluation;
using Zsad.Reporter.Metrics;

namespace Zsad.Reporter.Tests.Evaluation;

/// <summary>`zsad evaluate` on synthetic BraTS-style folders: metrics.json equals the Metrics classes run directly,
/// and the report folder holds the tables, the figures and a page that shows them.</summary>
public class EvaluateCommandTests
{
    /// <summary>Three subjects: a shifted, partly missed prediction with a false-positive blob; a perfect mask;
    /// a subject without lesion predicted empty (Dice 1, sensitivity undefined).</summary>
    private static (string Pred, string Truth, List<(string Id, float[] Scores, bool[] Truth, VolumeShape Shape)> Cases) Write(TempDir dir)
    {
        var pred = Directory.CreateDirectory(dir.File("pred")).FullName;
        var truthDir = Directory.CreateDirectory(dir.File("truth")).FullName;
        var cases = new List<(string, float[], bool[], VolumeShape)>();
        for (var s = 0; s < 3; s++)
        {
            var id = $"BraTS-{s:D3}";
            var study = SyntheticBrainStudy.Create(id, 10 + s, 40, 10, lesionCount: s == 2 ? 0 : 2);
            var truth = study.LesionMask;
            var map = truth.Like<float>();
            for (var v = 0; v < map.Data.Length; v++)
            {
                var lesion = truth.Data[v] != 0;
                map.Data[v] = s switch
                {
                    0 => lesion ? (v % 3 == 0 ? 0.3f : 0.8f) : 0.05f * (v % 7),
                    1 => lesion ? 1f : 0f,
                    _ => 0.1f,
                };
            }
            if (s == 0)
                map[2, 2, 2] = 0.95f;
            var labels = truth.Convert<byte>();
            for (var v = 0; v < labels.Data.Length; v++)
                labels.Data[v] = (byte)(labels.Data[v] != 0 ? 1 + v % 3 : 0); // BraTS labels 1..3: all whole tumour
            NiftiWriter.Write(map, Path.Combine(pred, id + ".nii.gz"));
            Directory.CreateDirectory(Path.Combine(truthDir, id));
            NiftiWriter.Write(labels, Path.Combine(truthDir, id, id + "-seg.nii.gz"));
            cases.Add((id, map.Data, truth.Data.Select(b => b != 0).ToArray(), new VolumeShape(map.SizeX, map.SizeY, map.SizeZ)));
        }
        return (pred, truthDir, cases);
    }

    private static double? Value(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();

    private static void Same(double expected, JsonElement actual)
    {
        if (double.IsNaN(expected))
            Assert.Equal(JsonValueKind.Null, actual.ValueKind);
        else
            Assert.Equal(expected, actual.GetDouble(), 12);
    }

    [Fact]
    public void MetricsJson_EqualsTheMetricsClasses()
    {
        using var dir = new TempDir();
        var (pred, truth, cases) = Write(dir);
        var console = new StringWriter();
        Assert.Equal(0, ReporterCommands.Evaluate(pred, truth, dir.File("report"), "0.5", console));

        var evaluator = new MetricsEvaluator(0.5f);
        foreach (var (id, scores, t, shape) in cases)
            evaluator.Add(id, scores, t, shape);
        var expected = evaluator.Summarize();

        using var json = JsonDocument.Parse(File.ReadAllBytes(dir.File("report/metrics.json")));
        var root = json.RootElement;
        var subjects = root.GetProperty("subjects").EnumerateArray().ToArray();
        Assert.Equal(3, subjects.Length);
        for (var i = 0; i < subjects.Length; i++)
        {
            var e = expected.Subjects[i];
            Assert.Equal(e.SubjectId, subjects[i].GetProperty("id").GetString());
            Same(e.Dice, subjects[i].GetProperty("dice"));
            Same(e.Sensitivity, subjects[i].GetProperty("sensitivity"));
            Same(e.Specificity, subjects[i].GetProperty("specificity"));
            Same(e.Ppv, subjects[i].GetProperty("ppv"));
            Assert.Equal(e.Lesions.Lesions, subjects[i].GetProperty("lesion_detection").GetProperty("lesions").GetInt32());
            Assert.Equal(e.Lesions.Detected, subjects[i].GetProperty("lesion_detection").GetProperty("detected").GetInt32());
            Assert.Equal(e.Lesions.FalsePositives, subjects[i].GetProperty("lesion_detection").GetProperty("false_positives").GetInt32());
        }
        var overall = root.GetProperty("overall");
        Same(expected.Auroc, overall.GetProperty("auroc"));
        Same(expected.F1Max.F1, overall.GetProperty("f1max"));
        Same(expected.F1Max.Threshold, overall.GetProperty("f1max_threshold"));
        Same(expected.Dice.Mean, overall.GetProperty("dice").GetProperty("mean"));
        Same(expected.Dice.Std, overall.GetProperty("dice").GetProperty("std"));
        Same(expected.Sensitivity.Mean, overall.GetProperty("sensitivity").GetProperty("mean"));
        Assert.Equal(2, overall.GetProperty("sensitivity").GetProperty("n").GetInt32());
        Same(expected.LesionSensitivity, overall.GetProperty("lesion_detection").GetProperty("sensitivity"));
        Same(expected.FalsePositivesPerScan, overall.GetProperty("lesion_detection").GetProperty("false_positives_per_scan"));
        Assert.Equal(expected.DistanceProfile.Count, root.GetProperty("distance_profile").GetArrayLength());

        // Subject 1 is perfect, subject 2 has neither truth nor prediction: Dice 1 both, by the documented convention.
        Assert.Equal(1.0, Value(subjects[1].GetProperty("dice")));
        Assert.Equal(1.0, Value(subjects[2].GetProperty("dice")));
        Assert.Null(Value(subjects[2].GetProperty("sensitivity")));
        Assert.Contains("AUROC", console.ToString());
    }

    [Fact]
    public void Report_HasTablesFiguresAndAPageShowingThem()
    {
        using var dir = new TempDir();
        var (pred, truth, _) = Write(dir);
        var report = dir.File("report");
        Assert.Equal(0, ReporterCommands.Evaluate(pred, truth, report, null, TextWriter.Null));
        foreach (var f in new[] { "metrics.json", "subjects.csv", "slices.csv", "distance_profile.csv", "index.html" })
            Assert.True(File.Exists(Path.Combine(report, f)), f);
        var html = File.ReadAllText(Path.Combine(report, "index.html"));
        foreach (var png in new[] { ReportPlots.DiceStrip, ReportPlots.DistanceProfile, ReportPlots.SizeVsDice })
        {
            var bytes = File.ReadAllBytes(Path.Combine(report, png));
            Assert.True(bytes.Length > 1000, png);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            Assert.Contains($"<img src=\"{png}\"", html);
        }
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        var subjects = File.ReadAllLines(Path.Combine(report, "subjects.csv"));
        Assert.Equal(4, subjects.Length);
        Assert.StartsWith("id,dice,sensitivity", subjects[0]);
        Assert.Contains(",nan,", subjects[3]);
        // 3 subjects x 10 slices, plus the header.
        Assert.Equal(31, File.ReadAllLines(Path.Combine(report, "slices.csv")).Length);
    }

    [Fact]
    public void PredictionWithoutTruth_IsAnError_NamingTheSubject()
    {
        using var dir = new TempDir();
        var (pred, truth, _) = Write(dir);
        File.Copy(Path.Combine(pred, "BraTS-000.nii.gz"), Path.Combine(pred, "extra.nii.gz"));
        var ex = Assert.Throws<ArgumentException>(() => EvaluationRunner.Run(pred, truth));
        Assert.Contains("extra", ex.Message);
    }
}
