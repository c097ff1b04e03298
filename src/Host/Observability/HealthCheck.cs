namespace Zsad.Host.Observability;

/// <summary>One line of /health: whether it is fine, what it is, and why not (or a note, e.g. a CPU fallback reason).</summary>
/// <param name="Degraded">Working, but not as it should (an uncalibrated detector): the process stays ready
/// (HTTP 200) and the report's status says "Degraded".</param>
public sealed record HealthCheck(bool Healthy, string Description, string? Detail, bool Degraded = false);
