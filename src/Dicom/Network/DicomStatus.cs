namespace Zsad.Dicom.Network;

/// <summary>DIMSE status codes (PS3.7 C, PS3.4 B.2.3) that Zsad sends or interprets.</summary>
public static class DicomStatus
{
    public const ushort Success = 0x0000;
    public const ushort ProcessingFailure = 0x0110;
    public const ushort NoSuchSopClass = 0x0118;
    public const ushort SopClassNotSupported = 0x0122;
    public const ushort NotAuthorized = 0x0124;
    public const ushort UnrecognizedOperation = 0x0211;
    public const ushort OutOfResources = 0xA700;
    public const ushort DataSetDoesNotMatchSopClass = 0xA900;
    public const ushort CannotUnderstand = 0xC000;
    public const ushort CoercionOfDataElements = 0xB000;
    public const ushort ElementsDiscarded = 0xB006;
    public const ushort DataSetDoesNotMatchSopClassWarning = 0xB007;

    // Query/Retrieve (PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4)
    public const ushort Pending = 0xFF00;
    public const ushort PendingWithWarnings = 0xFF01;
    public const ushort Cancel = 0xFE00;
    public const ushort MoveDestinationUnknown = 0xA801;
    public const ushort UnableToCalculateMatches = 0xA701;
    public const ushort UnableToPerformSubOperations = 0xA702;
    /// <summary>C-GET/C-MOVE: sub-operations complete, one or more failed or had warnings (same code as B000 of C-STORE).</summary>
    public const ushort SubOperationsCompleteWithFailures = 0xB000;

    public static bool IsSuccess(ushort status) => status == Success;

    public static bool IsWarning(ushort status) => status is 0x0001 or (>= 0xB000 and <= 0xBFFF);

    /// <summary>Stored: success or a warning (PS3.4 B.2.3 — the instance was kept).</summary>
    public static bool IsStored(ushort status) => IsSuccess(status) || IsWarning(status);

    public static bool IsPending(ushort status) => status is 0xFF00 or 0xFF01;
}
