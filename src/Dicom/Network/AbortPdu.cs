namespace Zsad.Dicom.Network;

/// <summary>A-ABORT (PS3.8 9.3.8). Source 0 = service user, 2 = service provider; the reason is only meaningful
/// for the provider.</summary>
public readonly record struct AbortPdu(byte Source, byte Reason)
{
    public const byte SourceServiceUser = 0;
    public const byte SourceServiceProvider = 2;

    public const byte ReasonNotSpecified = 0;
    public const byte ReasonUnrecognizedPdu = 1;
    public const byte ReasonUnexpectedPdu = 2;
    public const byte ReasonUnrecognizedParameter = 4;
    public const byte ReasonUnexpectedParameter = 5;
    public const byte ReasonInvalidParameterValue = 6;

    public override string ToString() => $"A-ABORT source {Source} reason {Reason}";
}
