namespace Zsad.Dicom.Network;

/// <summary>A PDU or DIMSE message broke PS3.8/PS3.7. Carries the A-ABORT reason the receiver answers with
/// (PS3.8 9.3.8: 1 unrecognised PDU, 2 unexpected PDU, 4 unrecognised parameter, 5 unexpected parameter,
/// 6 invalid parameter value) and, when known, the byte offset in the PDU.</summary>
public sealed class DicomProtocolException : Exception
{
    public byte AbortReason { get; }
    public long Offset { get; }

    public DicomProtocolException(string message, byte abortReason = AbortPdu.ReasonInvalidParameterValue, long offset = -1, Exception? inner = null)
        : base(offset >= 0 ? $"{message} (at PDU byte {offset})" : message, inner)
    {
        AbortReason = abortReason;
        Offset = offset;
    }
}
