using Microsoft.Extensions.Logging;

namespace Zsad.Reporter.Export;

/// <summary>Retry policy of an export: each delivery round re-associates up to <see cref="MaxRetries"/> times with
/// exponential backoff from <see cref="RetryDelay"/>; what is still undelivered then becomes a dead letter.</summary>
public sealed record ExportOptions
{
    public int MaxRetries { get; init; } = 3;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public ILoggerFactory? LoggerFactory { get; init; }
}
