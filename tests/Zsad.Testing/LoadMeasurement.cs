using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Zsad.Dicom.Network;

namespace Zsad.Testing;

/// <summary>What the load tests measure and report (never assert as times): a process's resident memory sampled from
/// /proc every 100 ms, and per-instance C-STORE round trips (the time between consecutive C-STORE-RSPs on one
/// association), written to $ZSAD_LOAD_REPORT as one line for bench/run-load.sh.</summary>
public sealed class LoadMeasurement
{
    private readonly int _pid;
    private readonly ConcurrentBag<double> _latencies = [];
    private readonly CancellationTokenSource _sampling = new();
    private readonly Stopwatch _watch = new();
    private Task? _sampler;

    public LoadMeasurement(int pid)
    {
        _pid = pid;
        RssBefore = RssPeak = Rss(pid);
    }

    public long RssBefore { get; }

    public long RssPeak { get; private set; }

    public TimeSpan Elapsed => _watch.Elapsed;

    /// <summary>Starts sampling memory and the clock for the load.</summary>
    public void Start()
    {
        _sampler = Task.Run(async () =>
        {
            while (!_sampling.IsCancellationRequested)
            {
                RssPeak = Math.Max(RssPeak, Rss(_pid));
                await Task.Delay(100, CancellationToken.None);
            }
        });
        _watch.Start();
    }

    /// <summary>Stops the clock (all instances acknowledged).</summary>
    public void LoadSent() => _watch.Stop();

    /// <summary>Stops sampling memory (the service has finished the work the load caused).</summary>
    public async Task StopSamplingAsync()
    {
        await _sampling.CancelAsync();
        if (_sampler is not null)
            await _sampler;
    }

    /// <summary>A progress sink for one association; call it on the thread that starts the association.</summary>
    public IProgress<StoreResult> Association() => new RoundTrips(_latencies);

    /// <summary>The report line; written to $ZSAD_LOAD_REPORT when set.</summary>
    public async Task<string> ReportAsync(int associations, int perAssociation, bool fsync)
    {
        var sorted = _latencies.Order().ToArray();
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        var total = associations * perAssociation;
        var seconds = Elapsed.TotalSeconds;
        var report = string.Create(CultureInfo.InvariantCulture,
            $"associations={associations} instances_per_association={perAssociation} total={total} fsync={fsync} " +
            $"seconds={seconds:F2} instances_per_s={total / seconds:F0} p50_ms={P(0.5):F2} p95_ms={P(0.95):F2} p99_ms={P(0.99):F2} max_ms={sorted[^1]:F2} " +
            $"rss_before_mib={RssBefore >> 20} rss_peak_mib={RssPeak >> 20}");
        if (Environment.GetEnvironmentVariable("ZSAD_LOAD_REPORT") is { Length: > 0 } reportPath)
            await File.WriteAllTextAsync(reportPath, report + "\n");
        return report;
    }

    /// <summary>VmRSS of a process from /proc (bytes).</summary>
    public static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, reordering times); the
    /// first round trip counts from the association's start.</summary>
    private sealed class RoundTrips(ConcurrentBag<double> latencies) : IProgress<StoreResult>
    {
        private long _last = Stopwatch.GetTimestamp();

        public void Report(StoreResult value)
        {
            var now = Stopwatch.GetTimestamp();
            latencies.Add(Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds);
            _last = now;
        }
    }
}
