namespace Zsad.Dicom.Network;

/// <summary>A-ASSOCIATE-RJ (PS3.8 9.3.4, Table 9-21).</summary>
public readonly record struct AssociateReject(byte Result, byte Source, byte Reason)
{
    public const byte ResultPermanent = 1;
    public const byte ResultTransient = 2;

    /// <summary>DICOM UL service-user: reasons 1 no reason given, 2 application context not supported,
    /// 3 calling AE title not recognised, 7 called AE title not recognised.</summary>
    public const byte SourceServiceUser = 1;
    /// <summary>DICOM UL service-provider (ACSE): reasons 1 no reason given, 2 protocol version not supported.</summary>
    public const byte SourceServiceProviderAcse = 2;
    /// <summary>DICOM UL service-provider (presentation): reasons 1 temporary congestion, 2 local limit exceeded.</summary>
    public const byte SourceServiceProviderPresentation = 3;

    public const byte ReasonNoReasonGiven = 1;
    public const byte ReasonApplicationContextNotSupported = 2;
    public const byte ReasonCallingAENotRecognized = 3;
    public const byte ReasonCalledAENotRecognized = 7;
    public const byte ReasonProtocolVersionNotSupported = 2;
    public const byte ReasonTemporaryCongestion = 1;
    public const byte ReasonLocalLimitExceeded = 2;

    public bool IsTransient => Result == ResultTransient;

    public override string ToString()
        => $"A-ASSOCIATE-RJ {(Result == ResultTransient ? "transient" : "permanent")}, source {Source}, reason {Reason}";
}
