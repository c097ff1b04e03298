using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Zsad.Host.Observability;

/// <summary>The service's counters and stage latencies, rendered as Prometheus text exposition (version 0.0.4).
/// Hand-rolled: a handful of series does not justify a metrics library, and the format is stable.</summary>
public sealed class PipelineMetrics
{
    private static readonly double[] Buckets = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Histogram> _stages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<double>> _gauges = new(StringComparer.Ordinal);
    private long _inFlight;

    /// <summary>Counts one event, e.g. ("zsad_series_processed_total", "stage=\"report\"").</summary>
    public void Increment(string name, string labels = "", long by = 1) => _counters.AddOrUpdate(Key(name, labels), by, (_, v) => v + by);

    public void ObserveStage(string stage, double seconds) => _stages.GetOrAdd(stage, _ => new Histogram()).Observe(seconds);

    /// <summary>A value read at scrape time (e.g. instances in the intake store, messages waiting in the outbox).</summary>
    public void Gauge(string name, string labels, Func<double> read) => _gauges[Key(name, labels)] = read;

    /// <summary>Messages a consumer of this process is working on (part of the queue depth).</summary>
    public IDisposable Working()
    {
        Interlocked.Increment(ref _inFlight);
        return new Release(this);
    }

    public long Counter(string name, string labels = "") => _counters.TryGetValue(Key(name, labels), out var v) ? v : 0;

    public string Render()
    {
        var sb = new StringBuilder();
        void Line(FormattableString s) => sb.Append(s.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var group in _counters.GroupBy(c => Name(c.Key)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Line($"# TYPE {group.Key} counter");
            foreach (var (key, value) in group.OrderBy(c => c.Key, StringComparer.Ordinal))
                Line($"{key} {value}");
        }
        foreach (var group in _gauges.GroupBy(c => Name(c.Key)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Line($"# TYPE {group.Key} gauge");
            foreach (var (key, read) in group.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                double value;
                try
                {
                    value = read();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    value = double.NaN; // a store that cannot be read now: NaN rather than a failed scrape
                }
                Line($"{key} {(double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture))}");
            }
        }
        Line($"# TYPE zsad_messages_in_progress gauge");
        Line($"zsad_messages_in_progress {Interlocked.Read(ref _inFlight)}");
        Line($"# TYPE zsad_stage_duration_seconds histogram");
        foreach (var (stage, h) in _stages.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var (counts, sum, count) = h.Snapshot();
            for (var b = 0; b < Buckets.Length; b++)
                Line($"zsad_stage_duration_seconds_bucket{{stage=\"{stage}\",le=\"{Buckets[b]}\"}} {counts[b]}");
            Line($"zsad_stage_duration_seconds_bucket{{stage=\"{stage}\",le=\"+Inf\"}} {count}");
            Line($"zsad_stage_duration_seconds_sum{{stage=\"{stage}\"}} {sum}");
            Line($"zsad_stage_duration_seconds_count{{stage=\"{stage}\"}} {count}");
        }
        return sb.ToString();
    }

    private static string Key(string name, string labels) => labels.Length == 0 ? name : $"{name}{{{labels}}}";

    private static string Name(string key) => key.IndexOf('{') is var i and >= 0 ? key[..i] : key;

    private sealed class Release(PipelineMetrics metrics) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
                Interlocked.Decrement(ref metrics._inFlight);
        }
    }

    private sealed class Histogram
    {
        private readonly long[] _counts = new long[Buckets.Length];
        private double _sum;
        private long _count;

        public void Observe(double seconds)
        {
            lock (this)
            {
                for (var b = 0; b < Buckets.Length; b++)
                    if (seconds <= Buckets[b])
                        _counts[b]++;
                _sum += seconds;
                _count++;
            }
        }

        public (long[] Counts, double Sum, long Count) Snapshot()
        {
            lock (this)
                return ((long[])_counts.Clone(), _sum, _count);
        }
    }
}
