using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Zsad.Host.Tests.Support;

namespace Zsad.Host.Tests;

/// <summary>The whole service with real parts: dcmtk's storescu sends a synthetic study to `zsad serve` processes,
/// the SEG and summary SR arrive in a real Orthanc under the same study, the SEG passes dciodvfy, and the metrics
/// against the known lesions are written. Once with every role in one process (in-memory bus), once with each role
/// in its own process on RabbitMQ (ZSAD_RABBITMQ; the test fails without it).</summary>
public class EndToEndTests
{
    private const string Detector = "intensity-baseline"; // the fastest built-in: the pipeline is under test here

    [Fact]
    public async Task Embedded_StorescuToOrthanc_SegValidAndMetricsWritten()
    {
        using var dir = new TempDir();
        using var orthanc = new OrthancPeer();
        var series = SyntheticSeries.Write(dir.Path, "E2E-EMBEDDED", seed: 11);
        var data = dir.Sub("data");
        // --rabbitmq "" keeps this process embedded even where ZSAD_RABBITMQ is set (test.sh sets it).
        using var zsad = ZsadProcess.Start([.. Common(data, orthanc, series), "--rabbitmq", "", "--port", "0", "--http-port", "0"]);
        await RunFlowAsync(dir, orthanc, series, data, zsad.DicomPort!.Value, [zsad], reporter: zsad, inference: zsad);
    }

    [Fact]
    public async Task RabbitMq_EachRoleItsOwnProcess_StorescuToOrthanc_SegValidAndMetricsWritten()
    {
        using var vhost = new PrivateVirtualHost();
        using var dir = new TempDir();
        using var orthanc = new OrthancPeer();
        var series = SyntheticSeries.Write(dir.Path, "E2E-RABBITMQ", seed: 12);
        var data = dir.Sub("data");
        string[] broker = ["--rabbitmq", vhost.Uri, "--http-port", "0"];
        using var listener = ZsadProcess.Start(["--role", "listener", "--data", data, "--port", "0", "--quiet-s", "1", .. broker]);
        using var inference = ZsadProcess.Start(["--role", "inference", "--data", data, "--detector", Detector, "--normals", "phantom", "--allow-uncalibrated", "--prefetch", "2", .. broker]);
        using var reporter = ZsadProcess.Start(["--role", "reporter", .. Common(data, orthanc, series), .. broker]);
        await RunFlowAsync(dir, orthanc, series, data, listener.DicomPort!.Value, [listener, inference, reporter], reporter, inference);
    }

    private static void Storescu(string calledAE, int port, string directory)
        => Peers.Run(Peers.Require("storescu", "dcmtk"), ["-aet", "MODALITY", "-aec", calledAE, "+sd", "+r", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), directory],
            TimeSpan.FromSeconds(60), environment: new Dictionary<string, string> { ["TCP_NODELAY"] = "1" }).EnsureSuccess($"storescu to {calledAE}");

    private static string[] Common(string data, OrthancPeer orthanc, SyntheticSeries series) =>
    [
        "--data", data, "--quiet-s", "1", "--detector", Detector, "--normals", "phantom", "--allow-uncalibrated",
        "--dest", $"{orthanc.AETitle}@127.0.0.1:{orthanc.DicomPort.ToString(CultureInfo.InvariantCulture)}", "--truth", series.TruthDirectory,
    ];

    private static async Task RunFlowAsync(TempDir dir, OrthancPeer orthanc, SyntheticSeries series, string data, int dicomPort,
        IReadOnlyList<ZsadProcess> processes, ZsadProcess reporter, ZsadProcess inference)
    {
        string Logs() => string.Join("\n----\n", processes.Select(p => p.Output));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var p in processes)
        {
            // Ready = the broker connected, storage writable, the detector loaded.
            await Wait.ForAsync(async () =>
            {
                try
                {
                    return (await http.GetAsync($"http://127.0.0.1:{p.HttpPort}/health")).IsSuccessStatusCode ? "ready" : null;
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            }, TimeSpan.FromSeconds(60), () => $"/health never said ready:\n{p.Output}");
        }

        // The scanner's series goes to the PACS (Orthanc) and to Zsad, as a routing rule would send it.
        Storescu(orthanc.AETitle, orthanc.DicomPort, series.SourceDirectory);
        Storescu("ZSAD", dicomPort, series.SourceDirectory);

        // The SEG and the summary SR, in Orthanc, in the study of the source series.
        var found = await Wait.ForAsync(async () =>
        {
            var lookup = await (await orthanc.Http.PostAsync("tools/lookup", new StringContent(series.StudyInstanceUid))).Content.ReadFromJsonAsync<JsonElement>();
            if (lookup.ValueKind != JsonValueKind.Array || lookup.GetArrayLength() == 0)
                return null;
            var study = lookup.EnumerateArray().Single(e => e.GetProperty("Type").GetString() == "Study").GetProperty("ID").GetString();
            var all = await orthanc.GetAsync($"studies/{study}/series");
            var modalities = all.EnumerateArray().ToDictionary(s => s.GetProperty("MainDicomTags").GetProperty("Modality").GetString()!, s => s);
            return modalities.ContainsKey("SEG") && modalities.ContainsKey("SR") ? modalities : null;
        }, TimeSpan.FromSeconds(120), () => $"no SEG and SR in Orthanc's study {series.StudyInstanceUid}:\n{Logs()}");
        Assert.Equal(series.Instances, found["MR"].GetProperty("Instances").GetArrayLength());
        var segInstance = Assert.Single(found["SEG"].GetProperty("Instances").EnumerateArray()).GetString()!;
        var segPath = dir.File("from-orthanc-seg.dcm");
        File.WriteAllBytes(segPath, await orthanc.FileAsync(segInstance));
        var verify = Peers.Run(Peers.Require("dciodvfy", "dicom3tools"), ["-new", segPath]);
        var output = verify.StdOut + verify.StdErr;
        Assert.True(!output.Split('\n').Any(l => l.StartsWith("Error", StringComparison.Ordinal)), $"dciodvfy on the SEG from Orthanc:\n{output}");

        // The report: result and metrics against the known lesions, once the exporter has finished.
        var caseDir = Path.Combine(data, "reports", "cases", series.SeriesInstanceUid, Detector);
        await Wait.ForAsync(() => Task.FromResult(File.Exists(Path.Combine(caseDir, "result.json")) ? "done" : null),
            TimeSpan.FromSeconds(30), () => $"no result.json in {caseDir}:\n{Logs()}");
        using var result = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(caseDir, "result.json")));
        Assert.Equal($"{orthanc.AETitle}@127.0.0.1:{orthanc.DicomPort}", result.RootElement.GetProperty("export").GetString());
        using var metrics = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(caseDir, "metrics", "metrics.json")));
        Assert.Equal(JsonValueKind.Object, metrics.RootElement.ValueKind);
        Assert.True(File.Exists(Path.Combine(caseDir, "metrics", "index.html")));
        Assert.True(File.Exists(Path.Combine(data, "reports", "masks", series.SeriesInstanceUid + ".nii.gz")));

        // And the service's own counters say so.
        var reporterMetrics = await http.GetStringAsync($"http://127.0.0.1:{reporter.HttpPort}/metrics");
        Assert.Contains("zsad_series_processed_total{stage=\"report\"} 1\n", reporterMetrics);
        Assert.Contains("zsad_stage_duration_seconds_count{stage=\"report\"} 1\n", reporterMetrics);
        var inferenceMetrics = await http.GetStringAsync($"http://127.0.0.1:{inference.HttpPort}/metrics");
        Assert.Contains("zsad_series_processed_total{stage=\"inference\"} 1\n", inferenceMetrics);
        var listenerMetrics = await http.GetStringAsync($"http://127.0.0.1:{processes[0].HttpPort}/metrics");
        Assert.Contains($"zsad_instances_received {series.Instances}\n", listenerMetrics);

        // Each stage of the series' way (docs/benchmarks.md, per-stage timing), once, in the process that ran it.
        foreach (var (metricsText, stages) in new[]
                 {
                     (listenerMetrics, new[] { "series_close", "volume_build", "volume_publish" }),
                     (inferenceMetrics, ["inference_wait", "inference", "map_store"]),
                     (reporterMetrics, ["report_wait", "report_load", "seg_build", "seg_export", "report", "volume_to_report"]),
                 })
            foreach (var stage in stages)
                Assert.Contains($"zsad_stage_duration_seconds_count{{stage=\"{stage}\"}} 1\n", metricsText);
    }
}
