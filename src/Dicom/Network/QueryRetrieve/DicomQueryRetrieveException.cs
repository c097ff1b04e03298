namespace Zsad.Dicom.Network.QueryRetrieve;

/// <summary>A C-FIND, C-GET or C-MOVE the SCP refused or failed (a failure status), or one it cannot serve at all
/// (no accepted presentation context: <see cref="Status"/> is null). The message is one line for an operator.</summary>
public sealed class DicomQueryRetrieveException(ushort? status, string message) : Exception(message)
{
    public ushort? Status { get; } = status;
}
