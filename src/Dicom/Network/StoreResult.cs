namespace Zsad.Dicom.Network;

/// <summary>The outcome of sending one instance: the C-STORE-RSP status, or why none was received.</summary>
public sealed record StoreResult(string Source, string? SopInstanceUid, ushort? Status, string? Error)
{
    /// <summary>Success or warning status: the SCP kept the instance.</summary>
    public bool IsStored => Status is { } s && DicomStatus.IsStored(s);

    public override string ToString()
        => IsStored ? $"stored {Status:X4} {SopInstanceUid} {Source}"
            : $"FAILED {(Status is { } s ? s.ToString("X4") : "----")} {SopInstanceUid ?? "-"} {Source}: {Error}";
}
