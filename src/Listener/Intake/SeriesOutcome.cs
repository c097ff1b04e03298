namespace Zsad.Listener.Intake;

/// <summary>What closing one generation of a series did; written beside its instances as the marker that it was
/// processed, so a restart never processes it twice.</summary>
public sealed record SeriesOutcome(int Generation, SeriesOutcomeStatus Status, string? Reason, int InstanceCount, string? VolumeId, DateTimeOffset ClosedAt);
