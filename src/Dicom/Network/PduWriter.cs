using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Zsad.Dicom.Network;

/// <summary>Encodes PDUs (PS3.8 9.3). P-DATA-TF PDUs are framed in place by <see cref="WriteDataHeader"/>
/// so that payloads are never copied twice.</summary>
public static class PduWriter
{
    /// <summary>PDU header plus one PDV header: the overhead of a single-PDV P-DATA-TF PDU.</summary>
    public const int DataHeaderLength = 12;

    public static byte[] AssociateRequest(AssociationParameters p) => Associate(PduType.AssociateRequest, p);

    public static byte[] AssociateAccept(AssociationParameters p) => Associate(PduType.AssociateAccept, p);

    public static byte[] AssociateReject(AssociateReject rj) => Fixed(PduType.AssociateReject, 0, rj.Result, rj.Source, rj.Reason);

    public static byte[] ReleaseRequest() => Fixed(PduType.ReleaseRequest, 0, 0, 0, 0);

    public static byte[] ReleaseResponse() => Fixed(PduType.ReleaseResponse, 0, 0, 0, 0);

    public static byte[] Abort(AbortPdu abort) => Fixed(PduType.Abort, 0, 0, abort.Source, abort.Reason);

    /// <summary>Writes the 12 bytes that precede one PDV's data: PDU header, PDV item length, context id and
    /// message control header (bit 0 command, bit 1 last fragment).</summary>
    public static void WriteDataHeader(Span<byte> destination, int dataLength, byte contextId, bool isCommand, bool isLast)
    {
        destination[0] = (byte)PduType.DataTransfer;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)(dataLength + 6));
        BinaryPrimitives.WriteUInt32BigEndian(destination[6..], (uint)(dataLength + 2));
        destination[10] = contextId;
        destination[11] = (byte)((isCommand ? 1 : 0) | (isLast ? 2 : 0));
    }

    private static byte[] Fixed(PduType type, byte a, byte b, byte c, byte d)
        => [(byte)type, 0, 0, 0, 0, 4, a, b, c, d];

    private static byte[] Associate(PduType type, AssociationParameters p)
    {
        var accept = type == PduType.AssociateAccept;
        var body = new ArrayBufferWriter<byte>(512);
        var fixedPart = body.GetSpan(68)[..68];
        fixedPart.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, p.ProtocolVersion);
        AeTitle(p.CalledAE, fixedPart.Slice(4, 16));
        AeTitle(p.CallingAE, fixedPart.Slice(20, 16));
        body.Advance(68);

        StringItem(body, 0x10, p.ApplicationContext);
        foreach (var pc in p.PresentationContexts)
        {
            var inner = new ArrayBufferWriter<byte>();
            inner.Write<byte>([pc.Id, 0, accept ? (byte)pc.Result : (byte)0, 0]);
            if (accept)
            {
                // PS3.8 9.3.3.2: the sub-item is present even for rejected contexts, its value then ignored
                StringItem(inner, 0x40, pc.AcceptedTransferSyntax ?? (pc.TransferSyntaxes.Count > 0 ? pc.TransferSyntaxes[0] : TransferSyntax.ImplicitVRLittleEndian.Uid));
            }
            else
            {
                StringItem(inner, 0x30, pc.AbstractSyntax);
                foreach (var ts in pc.TransferSyntaxes)
                    StringItem(inner, 0x40, ts);
            }
            ItemHeader(body, accept ? (byte)0x21 : (byte)0x20, inner.WrittenCount);
            body.Write(inner.WrittenSpan);
        }

        var user = new ArrayBufferWriter<byte>();
        ItemHeader(user, 0x51, 4);
        BinaryPrimitives.WriteUInt32BigEndian(user.GetSpan(4), p.MaxPduLength);
        user.Advance(4);
        if (p.ImplementationClassUid is { Length: > 0 } icu)
            StringItem(user, 0x52, icu);
        if (p.AsyncOperations is { } async)
        {
            ItemHeader(user, 0x53, 4);
            var s = user.GetSpan(4);
            BinaryPrimitives.WriteUInt16BigEndian(s, async.Invoked);
            BinaryPrimitives.WriteUInt16BigEndian(s[2..], async.Performed);
            user.Advance(4);
        }
        foreach (var role in p.RoleSelections)
        {
            var uid = Encoding.ASCII.GetBytes(role.SopClassUid);
            ItemHeader(user, 0x54, uid.Length + 4);
            var s = user.GetSpan(2);
            BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)uid.Length);
            user.Advance(2);
            user.Write(uid);
            user.Write<byte>([role.ScuRole ? (byte)1 : (byte)0, role.ScpRole ? (byte)1 : (byte)0]);
        }
        if (p.ImplementationVersionName is { Length: > 0 } ivn)
            StringItem(user, 0x55, ivn);
        ItemHeader(body, 0x50, user.WrittenCount);
        body.Write(user.WrittenSpan);

        var pdu = new byte[6 + body.WrittenCount];
        pdu[0] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)body.WrittenCount);
        body.WrittenSpan.CopyTo(pdu.AsSpan(6));
        return pdu;
    }

    private static void AeTitle(string ae, Span<byte> destination)
    {
        destination.Fill((byte)' ');
        var bytes = Encoding.ASCII.GetBytes(ae.Trim());
        if (bytes.Length > 16)
            throw new ArgumentException($"AE title '{ae}' is longer than 16 characters");
        bytes.CopyTo(destination);
    }

    private static void ItemHeader(IBufferWriter<byte> w, byte type, int length)
    {
        if (length > ushort.MaxValue)
            throw new ArgumentException($"item 0x{type:X2} of {length} bytes exceeds 65535");
        var s = w.GetSpan(4);
        s[0] = type;
        s[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], (ushort)length);
        w.Advance(4);
    }

    /// <summary>UIDs in PDU items are not padded (PS3.8 9.3.2.2.1 allows either; dcmtk sends them unpadded).</summary>
    private static void StringItem(IBufferWriter<byte> w, byte type, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        ItemHeader(w, type, bytes.Length);
        w.Write(bytes);
    }
}
