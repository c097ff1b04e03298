using System.Collections.Concurrent;
using System.Text.Json;
using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Host.Configuration;
using Zsad.Host.Pipeline;
using Zsad.Host.Tests.Support;

namespace Zsad.Host.Tests;

/// <summary>A detector whose references are not the site's normals sends no BINARY SEG unless the configuration
/// allows it; the summary SR, result.json and metrics.json say why.</summary>
public class UncalibratedSegTests
{
    private static async Task<(ZsadOptions Options, ReportOutcome Outcome, SyntheticSeries Series)> RunOne(TempDir dir, bool allow)
    {
        var series = SyntheticSeries.Write(dir.Path, "UNCALIBRATED", seed: 7);
        var options = new ZsadOptions
        {
            DataDirectory = dir.Sub("data"),
            // Quiet long enough that a loaded machine does not close the series between two of its instances (0.5 s split
            // this test's series in two under CI load, 2026-12-07); the service's default is 5 s.
            Listener = new ZsadOptions.ListenerSettings { Port = 0, QuietSeconds = 2 },
            Inference = new ZsadOptions.InferenceSettings { Detector = "intensity-baseline", Normals = ZsadOptions.InferenceSettings.PhantomNormals, AllowUncalibrated = allow },
            Reporter = new ZsadOptions.ReporterSettings { GroundTruthDirectory = series.TruthDirectory },
            Http = new ZsadOptions.HttpSettings { Enabled = false },
        };
        await using var service = new ZsadService(options);
        var outcomes = new ConcurrentQueue<ReportOutcome>();
        var signal = new SemaphoreSlim(0);
        service.Reported += o => { outcomes.Enqueue(o); signal.Release(); };
        service.Faulted += (id, error) => Assert.Fail($"volume {id} failed: {error}");
        await service.StartAsync();
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = service.ListenerPort, CalledAE = "ZSAD", CallingAE = "UNCAL" });
        Assert.All(await client.StoreFilesAsync([series.SourceDirectory]), r => Assert.True(r.IsStored, r.ToString()));
        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(60)), "no report within 60 s");
        return (options, Assert.Single(outcomes), series);
    }

    [Fact]
    public async Task PhantomReferences_WithoutAllow_SendOnlyTheSummary_ThatSaysWhy()
    {
        using var dir = new TempDir();
        var (options, outcome, series) = await RunOne(dir, allow: false);

        Assert.True(outcome.SegWithheld);
        Assert.Null(outcome.SegPath);
        Assert.Null(outcome.SegSeriesInstanceUid);
        Assert.StartsWith("UNCALIBRATED: the references are not this site's normal scans", outcome.CalibrationWarning);
        var sent = Directory.GetFiles(options.PacsPath, "*.dcm", SearchOption.AllDirectories);
        var summary = DicomFile.Open(Assert.Single(sent)).Dataset; // the SR, no SEG
        Assert.Equal("SR", summary.GetRequiredString(DicomTags.Modality));
        Assert.Equal(series.StudyInstanceUid, summary.GetRequiredString(DicomTags.StudyInstanceUID));
        var text = string.Join("\n", Texts(summary));
        Assert.Contains("No segmentation sent. UNCALIBRATED", text);

        using var metrics = JsonDocument.Parse(File.ReadAllBytes(outcome.MetricsPath!));
        var warning = Assert.Single(metrics.RootElement.GetProperty("warnings").EnumerateArray());
        Assert.StartsWith("UNCALIBRATED:", warning.GetString());
    }

    [Fact]
    public async Task PhantomReferences_WithAllow_SendTheSeg_MarkedUncalibrated()
    {
        using var dir = new TempDir();
        var (options, outcome, _) = await RunOne(dir, allow: true);

        Assert.False(outcome.SegWithheld);
        Assert.NotNull(outcome.SegPath);
        var sent = Directory.GetFiles(options.PacsPath, "*.dcm", SearchOption.AllDirectories).Select(f => DicomFile.Open(f).Dataset).ToList();
        Assert.Equal(["SEG", "SR"], sent.Select(d => d.GetRequiredString(DicomTags.Modality)).Order());
        Assert.Contains("Segmentation sent although uncalibrated", string.Join("\n", Texts(sent.Single(d => d.GetRequiredString(DicomTags.Modality) == "SR"))));
    }

    /// <summary>Every TextValue in the SR content tree.</summary>
    private static IEnumerable<string> Texts(DicomDataset ds)
    {
        if (ds.GetString(DicomTags.TextValue) is { } t)
            yield return t;
        foreach (var item in ds.GetItems(DicomTags.ContentSequence))
            foreach (var s in Texts(item))
                yield return s;
    }
}
