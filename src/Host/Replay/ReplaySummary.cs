namespace Zsad.Host.Replay;

/// <summary>What a replay did: cases done now, done before (resumed past), failed, and the report when there was truth.</summary>
public sealed record ReplaySummary(int Cases, int Processed, int Skipped, IReadOnlyList<string> Failed, string? ReportPath);
