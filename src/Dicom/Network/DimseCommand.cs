using System.Buffers;
using Zsad.Dicom.IO;

namespace Zsad.Dicom.Network;

/// <summary>Builds and decodes DIMSE command sets (PS3.7 9.3, E.1): group 0000 in Implicit VR Little Endian,
/// led by CommandGroupLength.</summary>
public static class DimseCommand
{
    public const ushort CStoreRequest = 0x0001;
    public const ushort CStoreResponse = 0x8001;
    public const ushort CEchoRequest = 0x0030;
    public const ushort CEchoResponse = 0x8030;
    public const ushort CFindRequest = 0x0020;
    public const ushort CFindResponse = 0x8020;
    public const ushort CGetRequest = 0x0010;
    public const ushort CGetResponse = 0x8010;
    public const ushort CMoveRequest = 0x0021;
    public const ushort CMoveResponse = 0x8021;
    public const ushort CCancelRequest = 0x0FFF;

    /// <summary>CommandDataSetType value meaning "no dataset follows"; any other value means one does.</summary>
    public const ushort NoDataSet = 0x0101;
    public const ushort DataSetPresent = 0x0000;

    public const ushort PriorityMedium = 0x0000;

    public static DicomDataset EchoRequest(ushort messageId)
    {
        var c = New(CEchoRequest, DicomUid.Verification);
        c.SetValues(DicomTags.MessageID, DicomVR.US, messageId);
        c.SetValues(DicomTags.CommandDataSetType, DicomVR.US, NoDataSet);
        return c;
    }

    public static DicomDataset EchoResponse(ushort messageIdBeingRespondedTo, ushort status)
    {
        var c = New(CEchoResponse, DicomUid.Verification);
        c.SetValues(DicomTags.MessageIDBeingRespondedTo, DicomVR.US, messageIdBeingRespondedTo);
        c.SetValues(DicomTags.CommandDataSetType, DicomVR.US, NoDataSet);
        c.SetValues(DicomTags.Status, DicomVR.US, status);
        return c;
    }

    public static DicomDataset StoreRequest(ushort messageId, string sopClassUid, string sopInstanceUid, ushort priority = PriorityMedium)
    {
        var c = New(CStoreRequest, sopClassUid);
        c.SetValues(DicomTags.MessageID, DicomVR.US, messageId);
        c.SetValues(DicomTags.Priority, DicomVR.US, priority);
        c.SetValues(DicomTags.CommandDataSetType, DicomVR.US, DataSetPresent);
        c.SetString(DicomTags.AffectedSOPInstanceUID, DicomVR.UI, sopInstanceUid);
        return c;
    }

    public static DicomDataset StoreResponse(ushort messageIdBeingRespondedTo, string? sopClassUid, string? sopInstanceUid, ushort status, string? errorComment = null)
    {
        var c = New(CStoreResponse, sopClassUid);
        c.SetValues(DicomTags.MessageIDBeingRespondedTo, DicomVR.US, messageIdBeingRespondedTo);
        c.SetValues(DicomTags.CommandDataSetType, DicomVR.US, NoDataSet);
        c.SetValues(DicomTags.Status, DicomVR.US, status);
        if (!string.IsNullOrEmpty(sopInstanceUid))
            c.SetString(DicomTags.AffectedSOPInstanceUID, DicomVR.UI, sopInstanceUid);
        if (!string.IsNullOrEmpty(errorComment))
            c.SetString(DicomTags.ErrorComment, DicomVR.LO, Sanitize(errorComment));
        return c;
    }

    /// <summary>C-FIND-RQ, C-GET-RQ or C-MOVE-RQ (PS3.7 9.3.2-9.3.4): the identifier follows as the dataset;
    /// C-MOVE names the destination AE.</summary>
    public static DicomDataset QueryRetrieveRequest(ushort commandField, ushort messageId, string sopClassUid, string? moveDestination = null, ushort priority = PriorityMedium)
    {
        if (commandField is not (CFindRequest or CGetRequest or CMoveRequest))
            throw new ArgumentOutOfRangeException(nameof(commandField), $"0x{commandField:X4} is not C-FIND, C-GET or C-MOVE");
        if ((commandField == CMoveRequest) != (moveDestination is not null))
            throw new ArgumentException("C-MOVE, and only C-MOVE, names a move destination", nameof(moveDestination));
        var c = New(commandField, sopClassUid);
        c.SetValues(DicomTags.MessageID, DicomVR.US, messageId);
        c.SetValues(DicomTags.Priority, DicomVR.US, priority);
        c.SetValues(DicomTags.CommandDataSetType, DicomVR.US, DataSetPresent);
        if (moveDestination is not null)
            c.SetString(DicomTags.MoveDestination, DicomVR.AE, moveDestination.Trim());
        return c;
    }

    /// <summary>C-CANCEL-RQ (PS3.7 9.3.2.3): asks the SCP to stop the operation with the given message id.</summary>
    public static DicomDataset CancelRequest(ushort messageIdBeingRespondedTo)
    {
        var c = New(CCancelRequest, null);
        c.SetValues(DicomTags.MessageIDBeingRespondedTo, DicomVR.US, messageIdBeingRespondedTo);
        c.SetValues(DicomTags.CommandDataSetType, DicomVR.US, NoDataSet);
        return c;
    }

    /// <summary>A response to a request Zsad does not implement (PS3.7 C.4.2: unrecognised operation).</summary>
    public static DicomDataset UnsupportedResponse(DicomDataset request)
    {
        var field = (ushort)(request.GetInt(DicomTags.CommandField) ?? 0);
        var c = New((ushort)(field | 0x8000), request.GetString(DicomTags.AffectedSOPClassUID));
        c.SetValues(DicomTags.MessageIDBeingRespondedTo, DicomVR.US, (ushort)(request.GetInt(DicomTags.MessageID) ?? 0));
        c.SetValues(DicomTags.CommandDataSetType, DicomVR.US, NoDataSet);
        c.SetValues(DicomTags.Status, DicomVR.US, DicomStatus.UnrecognizedOperation);
        return c;
    }

    public static bool HasDataSet(DicomDataset command) => (command.GetInt(DicomTags.CommandDataSetType) ?? NoDataSet) != NoDataSet;

    public static byte[] Encode(DicomDataset command)
    {
        var output = new ArrayBufferWriter<byte>(256);
        DicomDatasetWriter.WriteGroupWithLength(output, command, 0x0000, explicitVR: false);
        return output.WrittenSpan.ToArray();
    }

    public static DicomDataset Decode(ReadOnlyMemory<byte> bytes)
    {
        DicomDataset command;
        try
        {
            command = DicomDatasetReader.Read(bytes, TransferSyntax.ImplicitVRLittleEndian);
            if (command.GetInt(DicomTags.CommandField) is null)
                throw new DicomProtocolException("DIMSE command set has no CommandField (0000,0100)");
        }
        catch (Exception ex) when (ex is DicomFormatException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new DicomProtocolException($"malformed DIMSE command set: {ex.Message}", AbortPdu.ReasonInvalidParameterValue, -1, ex);
        }
        foreach (var item in command)
            if (item.Tag.Group != 0x0000)
                throw new DicomProtocolException($"DIMSE command set holds {item.Tag} outside group 0000");
        return command;
    }

    private static DicomDataset New(ushort commandField, string? affectedSopClass)
    {
        // Peers' UIDs are echoed back as received: validation would turn a peer's sloppiness into our failure.
        var c = new DicomDataset { ValidateOnSet = false };
        if (!string.IsNullOrEmpty(affectedSopClass))
            c.SetString(DicomTags.AffectedSOPClassUID, DicomVR.UI, affectedSopClass);
        c.SetValues(DicomTags.CommandField, DicomVR.US, commandField);
        return c;
    }

    private static string Sanitize(string text)
    {
        var chars = text.Select(ch => ch is >= ' ' and <= '~' && ch != '\\' ? ch : ' ').ToArray();
        var s = new string(chars);
        return s.Length <= 64 ? s : s[..64];
    }
}
