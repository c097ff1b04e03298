namespace Zsad.Listener.Intake;

/// <summary>A series found in the intake store when it is scanned at start-up.</summary>
public sealed record StoredSeries(SeriesKey Key, string Directory, int InstanceCount, IReadOnlyList<SeriesOutcome> Outcomes);
