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
        var measurement = new LoadMeasurement(listener.Id);
        measurement.Start();

        var results = await Task.WhenAll(series.Select(files => Task.Run(async () =>
        {
            var progress = measurement.Association();
            var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAE = "ZSAD", MaxRetries = 0 });
            return await client.StoreAsync(files, progress);
        }))).WaitAsync(TimeSpan.FromSeconds(60 + associations * perAssociation / 20));
        measurement.LoadSent();
        Assert.All(results.SelectMany(r => r), r => Assert.True(r.IsStored, r.ToString()));

        var outbox = new FileOutbox(Path.Combine(data, "outbox"), flushToDisk: false);
        var store = new IntakeStore(Path.Combine(data, "intake"), flushToDisk: false);
        await Instances.UntilAsync(() => outbox.Sent().Count >= associations, TimeSpan.FromSeconds(60 + associations * perAssociation / 100),
            $"{associations} VolumeReady sent ({PeerProcess.Output(listener)[^Math.Min(2000, PeerProcess.Output(listener).Length)..]})");
        await Task.Delay(TimeSpan.FromSeconds(4)); // longer than the quiet time: a second processing would show
        await measurement.StopSamplingAsync();

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
        Assert.True(measurement.RssPeak < 768L << 20, $"the listener's RSS reached {measurement.RssPeak >> 20} MiB");

        await measurement.ReportAsync(associations, perAssociation, fsync);
    }
}
