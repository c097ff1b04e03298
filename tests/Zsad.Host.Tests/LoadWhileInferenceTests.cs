using System.Collections.Concurrent;
using System.Diagnostics;
using Zsad.Dicom.Network;
using Zsad.Host.Pipeline;
using Zsad.Host.Tests.Support;
using Zsad.Listener.Intake;

namespace Zsad.Host.Tests;

/// <summary>N concurrent associations x M instances into `zsad serve` (every role in one process) while its inference
/// is busy on an earlier series (held inside that volume at a hold point until the load is in): every instance stored,
/// every series processed exactly once, the process's memory bounded. Times are measured and reported
/// (ZSAD_LOAD_REPORT), never asserted; bench/run-load-serve.sh runs it at 8 x 1000.</summary>
public sealed class LoadWhileInferenceTests
{
    private const string Detector = "intensity-baseline";

    // Generous and explained: measured peaks were 261 MiB at 8 x 150 and 606-724 MiB at 8 x 1000 (bench/run-load.sh
    // serve): the runtime, MassTransit and the phantom references (~160 MiB before the load), the listener reading one
    // closing series' datasets, one volume in inference (64x64xM floats: 16 MiB at 1000) and the reporter's source
    // series, plus GC headroom. Holding the whole load at once would not fit: what is bounded is the work in flight.
    private const long RssBound = 1L << 30;

    private static int Env(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var n) && n > 0 ? n : fallback;

    [Fact]
    public async Task ConcurrentAssociationsWhileInferenceIsBusy_AllStored_EverySeriesProcessedOnce_MemoryBounded()
    {
        var associations = Env("ZSAD_LOAD_ASSOCIATIONS", 8);
        var perAssociation = Env("ZSAD_LOAD_INSTANCES", 150);
        var fsync = Environment.GetEnvironmentVariable("ZSAD_LOAD_NO_FSYNC") != "1";
        using var dir = new TempDir();
        var data = dir.Sub("data");
        var hold = dir.Sub("hold");
        var earlier = SyntheticSeries.Write(dir.Path, "LOAD-EARLIER", seed: 50);
        var load = Enumerable.Range(0, associations).Select(i => SyntheticSeries.Write(dir.Path, $"LOAD-{i}", seed: 60 + i, slices: perAssociation)).ToList();
        using var zsad = ZsadProcess.Start(["--data", data, "--rabbitmq", "", "--port", "0", "--http-port", "0", "--quiet-s", "2",
                "--detector", Detector, "--normals", "phantom", "--allow-uncalibrated", .. fsync ? Array.Empty<string>() : ["--no-fsync"]],
            new Dictionary<string, string> { [HoldPoint.PointVariable] = HoldPoint.MapComputed, [HoldPoint.DirectoryVariable] = hold });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Wait.ForAsync(async () => (await http.GetAsync($"http://127.0.0.1:{zsad.HttpPort}/health")).IsSuccessStatusCode ? "ready" : null,
            TimeSpan.FromSeconds(60), () => $"not ready:\n{zsad.Output}");
        var port = zsad.DicomPort!.Value;

        // Inference busy: the earlier series is inside the detector, and stays there until the load is in.
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAE = "ZSAD", MaxRetries = 0 });
        Assert.All(await client.StoreFilesAsync([earlier.SourceDirectory]), r => Assert.True(r.IsStored, r.ToString()));
        await Wait.ForAsync(() => Task.FromResult(File.Exists(Path.Combine(hold, HoldPoint.MapComputed + ".reached")) ? "busy" : null),
            TimeSpan.FromSeconds(60), () => $"inference never started on the earlier series:\n{zsad.Output}");

        var measurement = new LoadMeasurement(zsad.Pid);
        measurement.Start();

        var results = await Task.WhenAll(load.Select(s => Task.Run(async () =>
            await client.StoreFilesAsync([s.SourceDirectory], measurement.Association())))).WaitAsync(TimeSpan.FromSeconds(60 + associations * perAssociation / 20));
        measurement.LoadSent();
        Assert.All(results.SelectMany(r => r), r => Assert.True(r.IsStored, r.ToString()));

        // Every load series closed and published while inference was still held on the earlier one.
        await Wait.ForAsync(async () => (await Metrics()).Contains($"zsad_volumes_published {associations + 1}\n", StringComparison.Ordinal) ? "published" : null,
            TimeSpan.FromSeconds(60), () => $"not every series was published:\n{zsad.Output}");
        Assert.DoesNotContain("zsad_series_processed_total{stage=\"inference\"}", await Metrics());
        await File.WriteAllTextAsync(Path.Combine(hold, HoldPoint.MapComputed + ".release"), "");

        var all = load.Append(earlier).ToList();
        await Wait.ForAsync(async () => (await Metrics()).Contains($"zsad_series_processed_total{{stage=\"report\"}} {all.Count}\n", StringComparison.Ordinal) ? "done" : null,
            TimeSpan.FromSeconds(60 + associations * perAssociation / 10), () => $"not every series was reported:\n{zsad.Output}");
        await measurement.StopSamplingAsync();

        var metrics = await Metrics();
        Assert.Contains($"zsad_series_processed_total{{stage=\"inference\"}} {all.Count}\n", metrics);
        Assert.Contains($"zsad_instances_received {earlier.Instances + associations * perAssociation}\n", metrics);
        var stored = new IntakeStore(Path.Combine(data, "intake"), flushToDisk: false).Scan().ToDictionary(s => s.Key.SeriesInstanceUid);
        foreach (var s in all)
        {
            Assert.Equal(s.Instances, stored[s.SeriesInstanceUid].InstanceCount);
            Assert.Equal(SeriesOutcomeStatus.Published, Assert.Single(stored[s.SeriesInstanceUid].Outcomes).Status);
            // One SEG series and one summary SR series, one instance each, in the study of each series.
            var outputs = Directory.GetDirectories(Path.Combine(data, "pacs", s.StudyInstanceUid));
            Assert.Equal(2, outputs.Length);
            Assert.All(outputs, o => Assert.Single(Directory.GetFiles(o, "*.dcm")));
        }
        Assert.True(measurement.RssPeak < RssBound, $"zsad serve's RSS reached {measurement.RssPeak >> 20} MiB (bound {RssBound >> 20} MiB)");

        await measurement.ReportAsync(associations, perAssociation, fsync);

        Task<string> Metrics() => http.GetStringAsync($"http://127.0.0.1:{zsad.HttpPort}/metrics");
    }
}
