using System.Net;
using Microsoft.Extensions.Logging;

namespace Zsad.Dicom.Network;

/// <summary>Storage SCP settings. Every limit has a default that is safe on an open network; <see cref="Validate"/>
/// names the offending setting.</summary>
public sealed class DicomServerOptions
{
    public static readonly IReadOnlyList<string> DefaultSopClasses =
    [
        DicomUid.MRImageStorage, DicomUid.EnhancedMRImageStorage, "1.2.840.10008.5.1.4.1.1.4.2" /* MR Spectroscopy */,
        "1.2.840.10008.5.1.4.1.1.4.3" /* Enhanced MR Color */, DicomUid.CTImageStorage, DicomUid.EnhancedCTImageStorage,
        DicomUid.SecondaryCaptureImageStorage, DicomUid.SegmentationStorage, DicomUid.ParametricMapStorage, DicomUid.RawDataStorage,
    ];

    public static readonly IReadOnlyList<TransferSyntax> DefaultTransferSyntaxes =
    [
        TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian,
        TransferSyntax.DeflatedExplicitVRLittleEndian, TransferSyntax.RLELossless,
    ];

    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;
    /// <summary>0 = any free port (see <see cref="DicomServer.Port"/>).</summary>
    public int Port { get; init; } = 104;
    public string AETitle { get; init; } = "ZSAD";
    /// <summary>Reject associations whose called AE title is not <see cref="AETitle"/> (RJ reason 7).</summary>
    public bool CheckCalledAETitle { get; init; } = true;
    /// <summary>Calling AE titles allowed; null or empty = any (else RJ reason 3).</summary>
    public IReadOnlyCollection<string>? AllowedCallingAETitles { get; init; }
    /// <summary>Peer addresses allowed; null or empty = any (else RJ permanent, no reason given).</summary>
    public IReadOnlyCollection<IPAddress>? AllowedSourceAddresses { get; init; }
    public IReadOnlyCollection<string> SopClasses { get; init; } = DefaultSopClasses;
    /// <summary>Accepted transfer syntaxes; the proposer's order decides among them, but Big Endian never wins
    /// over another acceptable syntax.</summary>
    public IReadOnlyCollection<TransferSyntax> TransferSyntaxes { get; init; } = DefaultTransferSyntaxes;
    public int MaxAssociations { get; init; } = 16;
    public uint MaxPduLength { get; init; } = 256 * 1024;
    public long MaxDatasetLength { get; init; } = 1L << 30;
    /// <summary>Parse each dataset before storage (C000 if it cannot be, A900 if its UIDs differ from the command).</summary>
    public bool ParseDatasets { get; init; } = true;
    /// <summary>ARTIM (PS3.8 9.1.5): the wait for A-ASSOCIATE-RQ after connect, and for the peer's close after
    /// RJ, RELEASE-RP or ABORT.</summary>
    public TimeSpan ArtimTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Longest pause inside a DIMSE message (between its PDUs).</summary>
    public TimeSpan DimseTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Longest pause between messages before the association is aborted.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(300);
    public DicomTlsOptions? Tls { get; init; }
    public ILoggerFactory? LoggerFactory { get; init; }

    public void Validate()
    {
        static void Fail(string key, string why) => throw new ArgumentException($"DicomServerOptions.{key}: {why}", key);
        if (Port is < 0 or > 65535)
            Fail(nameof(Port), $"{Port} is not a TCP port");
        if (string.IsNullOrWhiteSpace(AETitle) || AETitle.Trim().Length > 16 || AETitle.Any(c => c is < ' ' or > '~' or '\\'))
            Fail(nameof(AETitle), $"'{AETitle}' is not a valid AE title (1-16 printable characters, no backslash)");
        if (MaxAssociations < 1)
            Fail(nameof(MaxAssociations), "must be at least 1");
        if (MaxPduLength is < 4096 or > 64 * 1024 * 1024)
            Fail(nameof(MaxPduLength), $"{MaxPduLength} is outside 4096..64 MiB");
        if (MaxDatasetLength < 1024)
            Fail(nameof(MaxDatasetLength), "must be at least 1024 bytes");
        if (TransferSyntaxes.Count == 0)
            Fail(nameof(TransferSyntaxes), "accepts nothing");
        if (ArtimTimeout <= TimeSpan.Zero || DimseTimeout <= TimeSpan.Zero || IdleTimeout <= TimeSpan.Zero)
            Fail(nameof(ArtimTimeout), "timeouts must be positive");
        if (Tls is not null && Tls.CertificatePath is null)
            Fail(nameof(Tls), "a TLS server needs CertificatePath");
    }
}
