namespace Zsad.Dicom.Network;

/// <summary>Thrown by a storage callback to answer C-STORE with a specific status (e.g. 0124 not authorised,
/// B000-range warnings are not errors and are not sent this way).</summary>
public sealed class DicomStorageException(ushort status, string message, Exception? inner = null) : Exception(message, inner)
{
    public ushort Status { get; } = status;
}
