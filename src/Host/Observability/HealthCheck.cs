namespace Zsad.Host.Observability;

/// <summary>One line of /health: whether it is fine, what it is, and why not (or a note, e.g. a CPU fallback reason).</summary>
public sealed record HealthCheck(bool Healthy, string Description, string? Detail);
