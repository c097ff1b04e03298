using MassTransit;
using Zsad.Host.Configuration;

namespace Zsad.Host.Observability;

/// <summary>Liveness and readiness of one process: the broker connection, the storage it writes to, and where
/// inference computes (CUDA, or CPU with the reason CUDA was not used). Ready = every check healthy.</summary>
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
        }
        var ready = checks.Values.All(c => c.Healthy);
        return new HealthReport(ready ? "Healthy" : "Unhealthy", true, ready, Describe(service.Roles), checks);
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
