using Microsoft.Extensions.Logging;

namespace Zsad.Dicom.Network;

/// <summary>SCU settings: where to connect, as whom, and how long to wait for what.</summary>
public sealed class DicomClientOptions
{
    public required string Host { get; init; }
    public int Port { get; init; } = 104;
    public string CallingAE { get; init; } = "ZSAD";
    public string CalledAE { get; init; } = "ANY-SCP";
    /// <summary>Our receive limit, advertised in A-ASSOCIATE-RQ.</summary>
    public uint MaxPduLength { get; init; } = 256 * 1024;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>ARTIM for the requestor: the wait for A-ASSOCIATE-AC/RJ and for A-RELEASE-RP.</summary>
    public TimeSpan AssociationTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The wait for each DIMSE response (the SCP may be writing to slow storage).</summary>
    public TimeSpan DimseTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Re-associations after a failed connect, transient rejection or broken association.</summary>
    public int MaxRetries { get; init; } = 3;
    /// <summary>First backoff delay; doubled after each retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public DicomTlsOptions? Tls { get; init; }
    public ILoggerFactory? LoggerFactory { get; init; }

    public void Validate()
    {
        static void Fail(string key, string why) => throw new ArgumentException($"DicomClientOptions.{key}: {why}", key);
        if (string.IsNullOrWhiteSpace(Host))
            Fail(nameof(Host), "is empty");
        if (Port is < 1 or > 65535)
            Fail(nameof(Port), $"{Port} is not a TCP port");
        foreach (var (key, ae) in new[] { (nameof(CallingAE), CallingAE), (nameof(CalledAE), CalledAE) })
            if (string.IsNullOrWhiteSpace(ae) || ae.Trim().Length > 16 || ae.Any(c => c is < ' ' or > '~' or '\\'))
                Fail(key, $"'{ae}' is not a valid AE title (1-16 printable characters, no backslash)");
        if (MaxPduLength is < 4096 or > 64 * 1024 * 1024)
            Fail(nameof(MaxPduLength), $"{MaxPduLength} is outside 4096..64 MiB");
        if (MaxRetries < 0)
            Fail(nameof(MaxRetries), "must not be negative");
    }
}
