using System.Net;
using Microsoft.Extensions.Logging;
using Zsad.Listener.Bus;
using Zsad.Listener.Filtering;
using Zsad.Listener.Intake;

namespace Zsad.Listener;

/// <summary>Settings of the Listener role. <see cref="Validate"/> names the offending key, so bad configuration fails
/// at start-up instead of at the first series.</summary>
public sealed class ListenerOptions
{
    /// <summary>Root for the intake store, blobs and outbox unless those are set separately.</summary>
    public required string DataDirectory { get; init; }
    public string? IntakeDirectory { get; init; }
    public string? BlobDirectory { get; init; }
    public string? OutboxDirectory { get; init; }

    public string AETitle { get; init; } = "ZSAD";
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;
    /// <summary>0 = any free port (the bound port is logged and exposed by <see cref="ListenerService.Port"/>).</summary>
    public int Port { get; init; } = 11112;
    public IReadOnlyCollection<string>? AllowedCallingAETitles { get; init; }

    /// <summary>A series closes this long after its last instance.</summary>
    public TimeSpan QuietTime { get; init; } = TimeSpan.FromSeconds(5);
    public LateInstancePolicy LateInstances { get; init; } = LateInstancePolicy.Reprocess;
    public SeriesFilterOptions Filter { get; init; } = new();

    /// <summary>amqp:// URI of RabbitMQ; null = in-memory bus. Default: the ZSAD_RABBITMQ environment variable.</summary>
    public string? RabbitMqUri { get; init; } = Environment.GetEnvironmentVariable(ZsadBus.RabbitMqVariable) is { Length: > 0 } v ? v : null;
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>fsync every file before acknowledging; switch off only for benchmarks.</summary>
    public bool FlushToDisk { get; init; } = true;
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Told how long each of the Listener's pipeline stages took ("series_close", "volume_build",
    /// "volume_publish"; see docs/benchmarks.md): the host turns it into /metrics histograms.</summary>
    public Action<string, TimeSpan>? StageObserved { get; init; }

    internal string IntakePath => IntakeDirectory ?? Path.Combine(DataDirectory, "intake");
    internal string BlobPath => BlobDirectory ?? Path.Combine(DataDirectory, "blobs");
    internal string OutboxPath => OutboxDirectory ?? Path.Combine(DataDirectory, "outbox");

    public void Validate()
    {
        static void Fail(string key, string why) => throw new ArgumentException($"Listener.{key}: {why}", key);
        if (string.IsNullOrWhiteSpace(DataDirectory))
            Fail(nameof(DataDirectory), "is required");
        if (Port is < 0 or > 65535)
            Fail(nameof(Port), $"{Port} is not a TCP port");
        if (QuietTime <= TimeSpan.Zero)
            Fail(nameof(QuietTime), "must be positive");
        if (PublishTimeout <= TimeSpan.Zero)
            Fail(nameof(PublishTimeout), "must be positive");
        if (Filter.SeriesDescriptionPattern is { } pattern)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(pattern);
            }
            catch (ArgumentException ex)
            {
                Fail("Filter.SeriesDescriptionPattern", ex.Message);
            }
        }
        if (RabbitMqUri is not null)
            ZsadBus.ParseBrokerUri(RabbitMqUri);
    }
}
