using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Zsad.Host.Pipeline;
using Zsad.Host.Tests.Support;

namespace Zsad.Host.Tests;

/// <summary>kill -9 of the inference process while it works on a volume, each role in its own `zsad serve` on RabbitMQ:
/// the broker redelivers the unacknowledged VolumeReady to a new inference process, and the PACS (a real Orthanc)
/// ends with exactly one SEG series of one instance for the series. The process stops at a hold point (ZSAD_TEST_HOLD_AT)
/// and says so with a file, so the kill lands at a known place, not at a moment guessed with sleeps.</summary>
public class InferenceCrashTests
{
    private const string Detector = "intensity-baseline";

    [Theory]
    [InlineData(HoldPoint.MapComputed, 1)] // the map exists only in memory: the new process computes it again, one report
    [InlineData(HoldPoint.MapPublished, 2)] // the map went out unacknowledged: the new process republishes the stored one; the reporter gets it twice
    public async Task KilledInsideAVolume_RedeliveredToANewProcess_ExactlyOneSegSeriesInOrthanc(string holdPoint, int mapMessages)
    {
        using var vhost = new PrivateVirtualHost();
        using var dir = new TempDir();
        using var orthanc = new OrthancPeer();
        var series = SyntheticSeries.Write(dir.Path, "CRASH-" + holdPoint.ToUpperInvariant(), seed: 41);
        var data = dir.Sub("data");
        var holdDirectory = dir.Sub("hold");
        string[] broker = ["--data", data, "--rabbitmq", vhost.Uri, "--http-port", "0"];
        string[] inferenceArgs = ["--role", "inference", "--detector", Detector, "--normals", "phantom", "--allow-uncalibrated", "--prefetch", "1", .. broker];
        using var listener = ZsadProcess.Start(["--role", "listener", "--port", "0", "--quiet-s", "1", .. broker]);
        using var reporter = ZsadProcess.Start(["--role", "reporter", "--dest", $"{orthanc.AETitle}@127.0.0.1:{orthanc.DicomPort.ToString(CultureInfo.InvariantCulture)}", .. broker]);
        using var doomed = ZsadProcess.Start(inferenceArgs, new Dictionary<string, string>
        {
            [HoldPoint.PointVariable] = holdPoint,
            [HoldPoint.DirectoryVariable] = holdDirectory,
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var p in new[] { listener, reporter, doomed })
            await WaitHealthyAsync(http, p);

        Peers.Run(Peers.Require("storescu", "dcmtk"), ["-aet", "MODALITY", "-aec", "ZSAD", "+sd", "+r", "127.0.0.1",
                listener.DicomPort!.Value.ToString(CultureInfo.InvariantCulture), series.SourceDirectory],
            TimeSpan.FromSeconds(60), environment: new Dictionary<string, string> { ["TCP_NODELAY"] = "1" }).EnsureSuccess("storescu");

        var reached = Path.Combine(holdDirectory, holdPoint + ".reached");
        await Wait.ForAsync(() => Task.FromResult(File.Exists(reached) ? "reached" : null), TimeSpan.FromSeconds(90),
            () => $"the inference process never reached {holdPoint}:\n{listener.Output}\n----\n{doomed.Output}");
        doomed.KillHard();
        if (holdPoint == HoldPoint.MapComputed)
            Assert.Empty(await SegSeriesAsync(orthanc, series)); // nothing left the killed process

        using var successor = ZsadProcess.Start(inferenceArgs);
        string Logs() => $"{listener.Output}\n----\n{doomed.Output}\n----\n{successor.Output}\n----\n{reporter.Output}";
        // Every AnomalyMapReady handled (a second delivery included) before anything is counted.
        await Wait.ForAsync(async () => (await http.GetStringAsync($"http://127.0.0.1:{reporter.HttpPort}/metrics"))
                .Contains($"zsad_series_processed_total{{stage=\"report\"}} {mapMessages}\n", StringComparison.Ordinal) ? "done" : null,
            TimeSpan.FromSeconds(120), () => $"the reporter did not handle {mapMessages} map message(s):\n{Logs()}");

        var seg = Assert.Single(await SegSeriesAsync(orthanc, series));
        Assert.Single(seg.GetProperty("Instances").EnumerateArray());
        Assert.Contains("zsad_series_processed_total{stage=\"inference\"} 1\n", await http.GetStringAsync($"http://127.0.0.1:{successor.HttpPort}/metrics"));
        Assert.Contains("zsad_exports_total{result=\"delivered\"} 1\n", await http.GetStringAsync($"http://127.0.0.1:{reporter.HttpPort}/metrics"));
        var maps = Directory.GetDirectories(Path.Combine(data, "blobs", "maps"));
        Assert.Single(Directory.GetFiles(Assert.Single(maps), "*.nii.gz"));
    }

    private static async Task WaitHealthyAsync(HttpClient http, ZsadProcess p)
        => await Wait.ForAsync(async () =>
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

    /// <summary>Orthanc's SEG series in the study of the source series (none while the study is not there).</summary>
    private static async Task<List<JsonElement>> SegSeriesAsync(OrthancPeer orthanc, SyntheticSeries series)
    {
        var lookup = await (await orthanc.Http.PostAsync("tools/lookup", new StringContent(series.StudyInstanceUid))).Content.ReadFromJsonAsync<JsonElement>();
        if (lookup.ValueKind != JsonValueKind.Array || lookup.GetArrayLength() == 0)
            return [];
        var study = lookup.EnumerateArray().Single(e => e.GetProperty("Type").GetString() == "Study").GetProperty("ID").GetString();
        var all = await orthanc.GetAsync($"studies/{study}/series");
        return all.EnumerateArray().Where(s => s.GetProperty("MainDicomTags").GetProperty("Modality").GetString() == "SEG").ToList();
    }
}
