namespace Zsad.Dicom.Network.QueryRetrieve;

/// <summary>The final C-GET or C-MOVE response (PS3.4 C.4.2.1.5, C.4.3.1.4): its status, the sub-operation counts,
/// the instances the SCP says failed (FailedSOPInstanceUIDList), and, for C-GET, what arrived on the association.</summary>
public sealed record RetrieveResult(
    ushort Status,
    int Completed,
    int Failed,
    int Warning,
    IReadOnlyList<string> FailedSopInstanceUids,
    IReadOnlyList<string> ReceivedSopInstanceUids,
    string? ErrorComment)
{
    public bool IsSuccess => Status == DicomStatus.Success;

    /// <summary>B000: the retrieve finished, but some sub-operations failed or had warnings.</summary>
    public bool IsPartial => Status == DicomStatus.SubOperationsCompleteWithFailures;

    public bool IsCancelled => Status == DicomStatus.Cancel;

    public override string ToString()
        => $"status {Status:X4}: {Completed} completed, {Failed} failed, {Warning} warning"
            + (FailedSopInstanceUids.Count > 0 ? $"; failed: {string.Join(", ", FailedSopInstanceUids)}" : "")
            + (ErrorComment is { Length: > 0 } c ? $" ({c})" : "");
}

/// <summary>A pending C-GET/C-MOVE response: sub-operations left and done so far.</summary>
public readonly record struct RetrieveProgress(int Remaining, int Completed, int Failed, int Warning);
