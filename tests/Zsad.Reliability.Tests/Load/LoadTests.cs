using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Listener.Outbox;
using Zsad.Listener.Intake;
using Zsad.Reliability.Tests.Support;

namespace Zsad.Reliability.Tests.Load;

/// <summary>N concurrent associations x M instances (one series each) into the listener: all stored, every series
/// processed exactly once, the listener's memory (VmRSS, sampled from /proc) bounded. Times are measured and reported (ZSAD_LOAD_REPORT), never asserted.
/// bench/run-load.sh runs it at 8 x 1000 through ZSAD_LOAD_ASSOCIATIONS / ZSAD_LOAD_INSTANCES.</summary>
public sealed class LoadTests
{
    private static int Env(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var n) && n > 0 ? n : fallback;

    [Fact]
    public async Task ConcurrentAssociationsAreAllStoredAndEverySeriesIsProcessedOnce()
    {
        var associations = Env("ZSAD_LOAD_ASSOCIATIONS", 8);
        var perAssociation = Env("ZSAD_LOAD_INSTANCES", 150);
        using var tmp = new TempDir();
        var data = tmp.Sub("data");
        var fsync = Environment.GetEnvironmentVariable("ZSAD_LOAD_NO_FSYNC") != "1";
        // The listener in its own process (tests/Zsad.Listener.TestHost, `zsad serve --role listener` options), so its
        // RSS is its own and not the sender's.
        var host = Path.Combine(AppContext.BaseDirectory.Replace("Zsad.Reliability.Tests", "Zsad.Listener.TestHost", StringComparison.Ordinal), "Zsad.Listener.TestHost.dll");
        Assert.True(File.Exists(host), $"the listener test host is not built at {host}");
        var port = Peers.FreePort();
        string[] args = [host, "--data", data, "--port", port.ToString(CultureInfo.InvariantCulture), "--quiet-s", "2", .. fsync ? Array.Empty<string>() : ["--no-fsync"]];
        var listener = PeerProcess.Start("dotnet", args, new Dictionary<string, string> { ["ZSAD_RABBITMQ"] = "" });
        try
        {
            PeerProcess.WaitForPort(port, listener, TimeSpan.FromSeconds(60));
            await RunAsync(associations, perAssociation, fsync, port, data, listener);
        }
        finally
        {
            PeerProcess.Stop(listener);
        }
    }

    private static async Task RunAsync(int associations, int perAssociation, bool fsync, int port, string data, Process listener)
    {
        var series = Enumerable.Range(0, associations).Select(_ => Instances.Series(perAssociation, size: 64)).ToList();
        var rssBefore = Rss(listener.Id);
        long rssPeak = rssBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                rssPeak = Math.Max(rssPeak, Rss(listener.Id));
                await Task.Delay(100, CancellationToken.None);
            }
        });

        var latencies = new ConcurrentBag<double>();
        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(series.Select(files => Task.Run(async () =>
        {
            // Per-instance round trip: time between consecutive C-STORE-RSPs on one association (the first from its start).
            var last = Stopwatch.GetTimestamp();
            var progress = new SyncProgress(_ =>
            {
                var now = Stopwatch.GetTimestamp();
                latencies.Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
                last = now;
            });
            var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAE = "ZSAD", MaxRetries = 0 });
            return await client.StoreAsync(files, progress);
        }))).WaitAsync(TimeSpan.FromSeconds(60 + associations * perAssociation / 20));
        var elapsed = watch.Elapsed;
        Assert.All(results.SelectMany(r => r), r => Assert.True(r.IsStored, r.ToString()));

        var outbox = new FileOutbox(Path.Combine(data, "outbox"), flushToDisk: false);
        var store = new IntakeStore(Path.Combine(data, "intake"), flushToDisk: false);
        await Instances.UntilAsync(() => outbox.Sent().Count >= associations, TimeSpan.FromSeconds(60 + associations * perAssociation / 100),
            $"{associations} VolumeReady sent ({PeerProcess.Output(listener)[^Math.Min(2000, PeerProcess.Output(listener).Length)..]})");
        await Task.Delay(TimeSpan.FromSeconds(4)); // longer than the quiet time: a second processing would show
        await sampling.CancelAsync();
        await sampler;

        var stored = store.Scan().ToList();
        Assert.Equal(associations, stored.Count);
        Assert.All(stored, s =>
        {
            Assert.Equal(perAssociation, s.InstanceCount);
            var outcome = Assert.Single(s.Outcomes);
            Assert.Equal(SeriesOutcomeStatus.Published, outcome.Status);
        });
        Assert.Equal(associations, outbox.Sent().Count);
        Assert.Empty(outbox.Pending());
        Assert.Equal(series.Select(f => f[0].Dataset.GetRequiredString(DicomTags.SeriesInstanceUID)).Order(), stored.Select(s => s.Key.SeriesInstanceUid).Order());
        // Bounded: the listener holds one instance per association in flight, not the series.
        Assert.True(rssPeak < 768L << 20, $"the listener's RSS reached {rssPeak >> 20} MiB");

        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        var total = associations * perAssociation;
        var report = string.Create(CultureInfo.InvariantCulture,
            $"associations={associations} instances_per_association={perAssociation} total={total} fsync={fsync} " +
            $"seconds={elapsed.TotalSeconds:F2} instances_per_s={total / elapsed.TotalSeconds:F0} p50_ms={P(0.5):F2} p95_ms={P(0.95):F2} p99_ms={P(0.99):F2} max_ms={sorted[^1]:F2} " +
            $"rss_before_mib={rssBefore >> 20} rss_peak_mib={rssPeak >> 20}");
        if (Environment.GetEnvironmentVariable("ZSAD_LOAD_REPORT") is { Length: > 0 } reportPath)
            await File.WriteAllTextAsync(reportPath, report + "\n");
    }

    /// <summary>VmRSS of a process from /proc (bytes).</summary>
    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    /// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, reordering times).</summary>
    private sealed class SyncProgress(Action<StoreResult> report) : IProgress<StoreResult>
    {
        public void Report(StoreResult value) => report(value);
    }
}
