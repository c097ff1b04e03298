using MassTransit;
using Zsad.Host.Configuration;

namespace Zsad.Host.Observability;

/// <summary>Liveness and readiness of one process: the broker connection, the storage it writes to, and where
/// inference computes (CUDA, or CPU with the reason CUDA was not used), and whether the detector is calibrated on
/// the site's normals. Ready = every check healthy (HTTP 200, else 503). Status "Degraded" (still 200, ready) when a
/// check is degraded: the "calibration" check of a detector whose references are not the site's normal scans, which
/// therefore sends no BINARY SEG; orchestrators keep routing to it, monitoring alerts on the status.</summary>
public sealed record HealthReport(string Status, bool Live, bool Ready, string Roles, IReadOnlyDictionary<string, HealthCheck> Checks)
{
    public static HealthReport For(ZsadService service)
    {
        var checks = new Dictionary<string, HealthCheck>(StringComparer.Ordinal);
        var transport = service.Options.RabbitMqUri is null ? "in-memory" : "rabbitmq";
        if (service.Bus is { } bus)
        {
            var result = bus.CheckHealth();
            checks["broker"] = new HealthCheck(result.Status == BusHealthStatus.Healthy, $"{transport}: {result.Status}", result.Description);
        }
        else
        {
            checks["broker"] = new HealthCheck(false, $"{transport}: not created", null);
        }
        checks["storage"] = Storage(service.Options.DataPath, service.Blobs.Root);
        if (service.Roles.HasFlag(ServiceRole.Inference))
        {
            var loading = service.InferenceReady;
            checks["inference"] = loading.Status switch
            {
                TaskStatus.RanToCompletion => new HealthCheck(true, $"{loading.Result.DetectorName} on {loading.Result.Provider}", loading.Result.FallbackReason),
                TaskStatus.Faulted or TaskStatus.Canceled => new HealthCheck(false, $"detector {service.Options.Inference.Detector} did not load",
                    loading.Exception?.GetBaseException().Message),
                _ => new HealthCheck(false, $"loading detector {service.Options.Inference.Detector}", null),
            };
            if (loading.Status == TaskStatus.RanToCompletion)
            {
                var worker = loading.Result;
                checks["calibration"] = worker.Trust.Calibrated
                    ? new HealthCheck(true, worker.Trust.Describe(), worker.Trust.References)
                    : new HealthCheck(true, worker.AllowUncalibrated ? "uncalibrated: BINARY SEGs sent anyway (Inference:AllowUncalibrated)" : "uncalibrated: no BINARY SEG is sent",
                        worker.Trust.Warning, Degraded: true);
            }
        }
        var ready = checks.Values.All(c => c.Healthy);
        var status = !ready ? "Unhealthy" : checks.Values.Any(c => c.Degraded) ? "Degraded" : "Healthy";
        return new HealthReport(status, true, ready, Describe(service.Roles), checks);
    }

    private static string Describe(ServiceRole roles) => roles == ServiceRole.All ? "all"
        : string.Join(",", Enum.GetValues<ServiceRole>().Where(r => r != ServiceRole.All && roles.HasFlag(r)).Select(r => r.ToString().ToLowerInvariant()));

    /// <summary>Writes and deletes a probe file in each folder: a full or read-only disk shows here before an
    /// instance is refused.</summary>
    private static HealthCheck Storage(params string[] directories)
    {
        foreach (var directory in directories.Distinct(StringComparer.Ordinal))
        {
            try
            {
                Directory.CreateDirectory(directory);
                var probe = Path.Combine(directory, $".health-{Environment.ProcessId}.tmp");
                File.WriteAllBytes(probe, [1]);
                File.Delete(probe);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return new HealthCheck(false, $"{directory} is not writable", ex.Message);
            }
        }
        return new HealthCheck(true, "writable: " + string.Join(", ", directories.Distinct(StringComparer.Ordinal)), null);
    }
}
