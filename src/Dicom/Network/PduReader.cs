using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Zsad.Dicom.Network;

/// <summary>Frames PDUs out of a byte stream and decodes their bodies (PS3.8 9.3). Frames are taken only when
/// complete; lengths are checked against the limits from the header alone, so an oversized PDU is refused
/// before its body is buffered. Every malformation raises <see cref="DicomProtocolException"/>.</summary>
public static class PduReader
{
    public const int HeaderLength = 6;

    /// <summary>Limit for every PDU except P-DATA-TF: an A-ASSOCIATE-RQ with 128 contexts of a dozen transfer
    /// syntaxes each stays far below it.</summary>
    public const int MaxControlPduLength = 1 << 20;

    private const int FixedAssociateFields = 68;

    /// <summary>Takes one PDU off the front of <paramref name="buffer"/> when it is complete.</summary>
    /// <param name="maxDataPduLength">Our advertised max PDU length: a P-DATA-TF longer than it is refused (0 = no limit).</param>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, uint maxDataPduLength, out PduFrame? frame)
    {
        frame = null;
        if (buffer.Length < HeaderLength)
            return false;
        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        var length = ValidateHeader(header, maxDataPduLength);
        if (buffer.Length < HeaderLength + length)
            return false;
        var body = ArrayPool<byte>.Shared.Rent(Math.Max(1, (int)length));
        buffer.Slice(HeaderLength, length).CopyTo(body);
        frame = new PduFrame((PduType)header[0], body, (int)length);
        buffer = buffer.Slice(HeaderLength + length);
        return true;
    }

    /// <summary>Checks type and length of a PDU header and returns the body length.</summary>
    public static uint ValidateHeader(ReadOnlySpan<byte> header, uint maxDataPduLength)
    {
        var type = header[0];
        if (type is < 1 or > 7)
            throw new DicomProtocolException($"unrecognised PDU type 0x{type:X2}", AbortPdu.ReasonUnrecognizedPdu, 0);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[2..]);
        if ((PduType)type == PduType.DataTransfer)
        {
            var limit = maxDataPduLength == 0 ? (uint)Array.MaxLength - HeaderLength : maxDataPduLength;
            if (length > limit)
                throw new DicomProtocolException($"P-DATA-TF PDU of {length} bytes exceeds the max PDU length {limit}", AbortPdu.ReasonInvalidParameterValue, 2);
        }
        else if (length > MaxControlPduLength)
        {
            throw new DicomProtocolException($"{(PduType)type} PDU of {length} bytes exceeds {MaxControlPduLength}", AbortPdu.ReasonInvalidParameterValue, 2);
        }
        return length;
    }

    // ---- bodies --------------------------------------------------------------------------------

    public static AssociationParameters ParseAssociateRequest(ReadOnlySpan<byte> body) => ParseAssociate(body, request: true);

    public static AssociationParameters ParseAssociateAccept(ReadOnlySpan<byte> body) => ParseAssociate(body, request: false);

    public static AssociateReject ParseAssociateReject(ReadOnlySpan<byte> body)
    {
        if (body.Length != 4)
            throw new DicomProtocolException($"A-ASSOCIATE-RJ body must be 4 bytes, got {body.Length}", AbortPdu.ReasonInvalidParameterValue, HeaderLength);
        return new AssociateReject(body[1], body[2], body[3]);
    }

    public static AbortPdu ParseAbort(ReadOnlySpan<byte> body)
    {
        if (body.Length != 4)
            throw new DicomProtocolException($"A-ABORT body must be 4 bytes, got {body.Length}", AbortPdu.ReasonInvalidParameterValue, HeaderLength);
        return new AbortPdu(body[2], body[3]);
    }

    /// <summary>A-RELEASE-RQ/RP carry 4 reserved bytes.</summary>
    public static void ParseRelease(ReadOnlySpan<byte> body)
    {
        if (body.Length != 4)
            throw new DicomProtocolException($"A-RELEASE body must be 4 bytes, got {body.Length}", AbortPdu.ReasonInvalidParameterValue, HeaderLength);
    }

    /// <summary>Splits a P-DATA-TF body into its PDVs (slices of <paramref name="body"/>, no copy).</summary>
    public static List<Pdv> ParseDataTransfer(ReadOnlyMemory<byte> body)
    {
        var list = new List<Pdv>(1);
        ParseDataTransfer(body, list);
        return list;
    }

    /// <summary>As <see cref="ParseDataTransfer(ReadOnlyMemory{byte})"/>, into a list the caller reuses (cleared first).</summary>
    public static void ParseDataTransfer(ReadOnlyMemory<byte> body, List<Pdv> list)
    {
        list.Clear();
        var span = body.Span;
        var pos = 0;
        if (span.Length == 0)
            throw new DicomProtocolException("P-DATA-TF PDU holds no PDV", AbortPdu.ReasonInvalidParameterValue, HeaderLength);
        while (pos < span.Length)
        {
            if (span.Length - pos < 6)
                throw new DicomProtocolException("truncated PDV item header", AbortPdu.ReasonInvalidParameterValue, HeaderLength + pos);
            var itemLength = BinaryPrimitives.ReadUInt32BigEndian(span[pos..]);
            if (itemLength < 2 || itemLength > span.Length - pos - 4)
                throw new DicomProtocolException($"PDV item length {itemLength} does not fit the PDU", AbortPdu.ReasonInvalidParameterValue, HeaderLength + pos);
            var id = span[pos + 4];
            var control = span[pos + 5];
            if ((id & 1) == 0)
                throw new DicomProtocolException($"PDV presentation context id {id} is not odd", AbortPdu.ReasonInvalidParameterValue, HeaderLength + pos + 4);
            if ((control & 0xFC) != 0)
                throw new DicomProtocolException($"PDV message control header 0x{control:X2} has reserved bits set", AbortPdu.ReasonInvalidParameterValue, HeaderLength + pos + 5);
            list.Add(new Pdv(id, (control & 1) != 0, (control & 2) != 0, body.Slice(pos + 6, (int)itemLength - 2)));
            pos += 4 + (int)itemLength;
        }
    }

    private static AssociationParameters ParseAssociate(ReadOnlySpan<byte> body, bool request)
    {
        var what = request ? "A-ASSOCIATE-RQ" : "A-ASSOCIATE-AC";
        if (body.Length < FixedAssociateFields)
            throw new DicomProtocolException($"{what} body of {body.Length} bytes is shorter than its {FixedAssociateFields} fixed bytes", AbortPdu.ReasonInvalidParameterValue, HeaderLength);
        var p = new AssociationParameters
        {
            ProtocolVersion = BinaryPrimitives.ReadUInt16BigEndian(body),
            CalledAE = Text(body.Slice(4, 16)),
            CallingAE = Text(body.Slice(20, 16)),
            ApplicationContext = "",
            MaxPduLength = 0,
            ImplementationClassUid = null,
            ImplementationVersionName = null,
        };
        var pos = FixedAssociateFields;
        var sawUserInfo = false;
        while (pos < body.Length)
        {
            var type = Item(body, ref pos, what, out var value);
            var at = HeaderLength + pos - value.Length;
            switch (type)
            {
                case 0x10:
                    p.ApplicationContext = Text(value);
                    break;
                case 0x20 when request:
                case 0x21 when !request:
                    if (p.PresentationContexts.Count == AssociationParameters.MaxPresentationContexts)
                        throw new DicomProtocolException($"{what} proposes more than {AssociationParameters.MaxPresentationContexts} presentation contexts", AbortPdu.ReasonInvalidParameterValue, at);
                    var pc = ParsePresentationContext(value, request, at);
                    if (p.FindContext(pc.Id) is not null)
                        throw new DicomProtocolException($"presentation context id {pc.Id} appears twice", AbortPdu.ReasonInvalidParameterValue, at);
                    p.PresentationContexts.Add(pc);
                    break;
                case 0x20 or 0x21:
                    throw new DicomProtocolException($"{what} holds a presentation context item of type 0x{type:X2}", AbortPdu.ReasonUnexpectedParameter, at);
                case 0x50:
                    sawUserInfo = true;
                    ParseUserInformation(value, p, at);
                    break;
                default:
                    break; // PS3.8 9.3.1: unknown items are ignored
            }
        }
        if (p.ApplicationContext.Length == 0)
            throw new DicomProtocolException($"{what} has no application context item", AbortPdu.ReasonInvalidParameterValue);
        if (request && p.PresentationContexts.Count == 0)
            throw new DicomProtocolException($"{what} proposes no presentation context", AbortPdu.ReasonInvalidParameterValue);
        if (!sawUserInfo && request)
            throw new DicomProtocolException($"{what} has no user information item", AbortPdu.ReasonInvalidParameterValue);
        return p;
    }

    private static PresentationContext ParsePresentationContext(ReadOnlySpan<byte> value, bool request, int at)
    {
        if (value.Length < 4)
            throw new DicomProtocolException("presentation context item shorter than 4 bytes", AbortPdu.ReasonInvalidParameterValue, at);
        var id = value[0];
        if ((id & 1) == 0)
            throw new DicomProtocolException($"presentation context id {id} is not odd", AbortPdu.ReasonInvalidParameterValue, at);
        string? abstractSyntax = null;
        var syntaxes = new List<string>();
        var pos = 4;
        while (pos < value.Length)
        {
            var type = Item(value, ref pos, "presentation context", out var sub);
            switch (type)
            {
                case 0x30 when request:
                    if (abstractSyntax is not null)
                        throw new DicomProtocolException($"presentation context {id} has two abstract syntaxes", AbortPdu.ReasonInvalidParameterValue, at);
                    abstractSyntax = Text(sub);
                    break;
                case 0x40:
                    syntaxes.Add(Text(sub));
                    break;
                default:
                    throw new DicomProtocolException($"presentation context {id} holds an unexpected sub-item 0x{type:X2}", AbortPdu.ReasonUnexpectedParameter, at);
            }
        }
        if (request)
        {
            if (string.IsNullOrEmpty(abstractSyntax))
                throw new DicomProtocolException($"presentation context {id} has no abstract syntax", AbortPdu.ReasonInvalidParameterValue, at);
            if (syntaxes.Count == 0)
                throw new DicomProtocolException($"presentation context {id} proposes no transfer syntax", AbortPdu.ReasonInvalidParameterValue, at);
            return new PresentationContext(id, abstractSyntax, syntaxes);
        }
        var result = (PresentationContextResult)value[2];
        if (value[2] > 4)
            throw new DicomProtocolException($"presentation context {id} has result {value[2]}", AbortPdu.ReasonInvalidParameterValue, at);
        var pc = new PresentationContext(id, "", syntaxes) { Result = result };
        if (result == PresentationContextResult.Acceptance)
        {
            if (syntaxes.Count != 1)
                throw new DicomProtocolException($"accepted presentation context {id} names {syntaxes.Count} transfer syntaxes", AbortPdu.ReasonInvalidParameterValue, at);
            pc.AcceptedTransferSyntax = syntaxes[0];
        }
        return pc;
    }

    private static void ParseUserInformation(ReadOnlySpan<byte> value, AssociationParameters p, int at)
    {
        var pos = 0;
        while (pos < value.Length)
        {
            var type = Item(value, ref pos, "user information", out var sub);
            switch (type)
            {
                case 0x51:
                    if (sub.Length != 4)
                        throw new DicomProtocolException($"maximum length sub-item of {sub.Length} bytes", AbortPdu.ReasonInvalidParameterValue, at);
                    p.MaxPduLength = BinaryPrimitives.ReadUInt32BigEndian(sub);
                    break;
                case 0x52:
                    p.ImplementationClassUid = Text(sub);
                    break;
                case 0x53:
                    if (sub.Length != 4)
                        throw new DicomProtocolException($"asynchronous operations window sub-item of {sub.Length} bytes", AbortPdu.ReasonInvalidParameterValue, at);
                    p.AsyncOperations = (BinaryPrimitives.ReadUInt16BigEndian(sub), BinaryPrimitives.ReadUInt16BigEndian(sub[2..]));
                    break;
                case 0x54:
                    if (sub.Length < 2)
                        throw new DicomProtocolException("truncated role selection sub-item", AbortPdu.ReasonInvalidParameterValue, at);
                    var uidLength = BinaryPrimitives.ReadUInt16BigEndian(sub);
                    if (sub.Length != 2 + uidLength + 2)
                        throw new DicomProtocolException("role selection sub-item length does not match its UID length", AbortPdu.ReasonInvalidParameterValue, at);
                    p.RoleSelections.Add(new RoleSelection(Text(sub.Slice(2, uidLength)), sub[2 + uidLength] == 1, sub[3 + uidLength] == 1));
                    break;
                case 0x55:
                    p.ImplementationVersionName = Text(sub);
                    break;
                default:
                    break; // extended negotiation, user identity, ...: not used, ignored (PS3.7 D.3.3)
            }
        }
    }

    private static byte Item(ReadOnlySpan<byte> data, ref int pos, string where, out ReadOnlySpan<byte> value)
    {
        if (data.Length - pos < 4)
            throw new DicomProtocolException($"truncated item header in {where}", AbortPdu.ReasonInvalidParameterValue, HeaderLength + pos);
        var type = data[pos];
        var length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
        if (data.Length - pos - 4 < length)
            throw new DicomProtocolException($"item 0x{type:X2} of {length} bytes overruns {where}", AbortPdu.ReasonInvalidParameterValue, HeaderLength + pos);
        value = data.Slice(pos + 4, length);
        pos += 4 + length;
        return type;
    }

    /// <summary>AE titles and UIDs are padded with spaces or NULs, depending on the peer; both are trimmed.</summary>
    private static string Text(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
            if (b is > 0x7E || (b < 0x20 && b != 0))
                throw new DicomProtocolException("non-ASCII byte in an AE title or UID", AbortPdu.ReasonInvalidParameterValue);
        return Encoding.ASCII.GetString(bytes).Trim(' ', '\0');
    }
}
