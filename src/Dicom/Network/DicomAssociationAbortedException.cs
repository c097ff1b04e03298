namespace Zsad.Dicom.Network;

/// <summary>The peer sent A-ABORT.</summary>
public sealed class DicomAssociationAbortedException(AbortPdu abort)
    : IOException($"association aborted by the peer: {abort}")
{
    public AbortPdu Abort { get; } = abort;
}
