namespace Zsad.Reporter.Export;

/// <summary>What could not be delivered: the files (copies kept with the record), where they were going, how often
/// delivery was tried and why the last try failed. An operator replays it with `zsad export --retry`.</summary>
public sealed record DeadLetterRecord
{
    public required ExportDestination Destination { get; init; }
    public required IReadOnlyList<string> Files { get; init; }
    public required string LastError { get; init; }
    /// <summary>Delivery rounds so far; each round is one association with its own re-association retries.</summary>
    public required int Attempts { get; init; }
    public required DateTimeOffset FirstFailure { get; init; }
    public required DateTimeOffset Time { get; init; }
}
