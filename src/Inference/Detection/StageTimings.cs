using System.Diagnostics;

namespace Zsad.Inference.Detection;

/// <summary>Wall time per stage of one detection (`zsad infer` prints them, so CUDA and CPU runs can be compared stage
/// by stage). A detector given one adds the time between two timestamps to a stage; stages keep the order in which
/// they were first seen. Not thread-safe: one detection at a time.</summary>
public sealed class StageTimings
{
    public const string Load = "load";
    public const string Read = "read";
    public const string Preprocess = "preprocess";
    public const string Encoder = "encoder";
    public const string Head = "head";
    public const string MemorySearch = "memory search";
    public const string Assembly = "assembly";
    public const string Write = "write";

    private readonly List<string> _order = [];
    private readonly Dictionary<string, long> _ticks = new(StringComparer.Ordinal);

    public static long Now() => Stopwatch.GetTimestamp();

    public static double Seconds(long from, long to) => (double)(to - from) / Stopwatch.Frequency;

    /// <summary>Adds the time since <paramref name="since"/> to <paramref name="stage"/>; returns now, the start of the next stage.</summary>
    public long Add(string stage, long since)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_ticks.TryGetValue(stage, out var ticks))
            _order.Add(stage);
        _ticks[stage] = ticks + (now - since);
        return now;
    }

    public IReadOnlyList<(string Stage, double Seconds)> Stages
        => _order.Select(s => (s, Seconds(0, _ticks[s]))).ToList();
}
