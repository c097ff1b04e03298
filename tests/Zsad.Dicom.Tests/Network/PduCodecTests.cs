using System.Buffers;
using System.Buffers.Binary;
using Zsad.Dicom.Network;

namespace Zsad.Dicom.Tests.Network;

/// <summary>PS3.8 PDU encoding and parsing, one rule per test.</summary>
public sealed class PduCodecTests
{
    private static AssociationParameters SampleRequest(int contexts = 2)
    {
        var rq = new AssociationParameters { CalledAE = "ZSAD", CallingAE = "SCU", MaxPduLength = 32768, AsyncOperations = (3, 2) };
        for (var i = 0; i < contexts; i++)
            rq.PresentationContexts.Add(new PresentationContext((byte)(2 * i + 1), DicomUid.MRImageStorage, [TransferSyntax.ExplicitVRLittleEndian.Uid, TransferSyntax.ImplicitVRLittleEndian.Uid]));
        rq.RoleSelections.Add(new RoleSelection(DicomUid.MRImageStorage, true, false));
        return rq;
    }

    private static ReadOnlySpan<byte> Body(byte[] pdu) => pdu.AsSpan(6);

    [Fact]
    public void AssociateRequest_RoundTripsEveryField()
    {
        var pdu = PduWriter.AssociateRequest(SampleRequest());
        Assert.Equal((byte)PduType.AssociateRequest, pdu[0]);
        Assert.Equal((uint)pdu.Length - 6, BinaryPrimitives.ReadUInt32BigEndian(pdu.AsSpan(2)));
        var rq = PduReader.ParseAssociateRequest(Body(pdu));
        Assert.Equal("ZSAD", rq.CalledAE);
        Assert.Equal("SCU", rq.CallingAE);
        Assert.Equal(DicomUid.ApplicationContext, rq.ApplicationContext);
        Assert.Equal(32768u, rq.MaxPduLength);
        Assert.Equal(DicomUid.ImplementationClass, rq.ImplementationClassUid);
        Assert.Equal(DicomUid.ImplementationVersionName, rq.ImplementationVersionName);
        Assert.Equal(((ushort)3, (ushort)2), rq.AsyncOperations);
        Assert.Equal(new RoleSelection(DicomUid.MRImageStorage, true, false), Assert.Single(rq.RoleSelections));
        Assert.Equal(2, rq.PresentationContexts.Count);
        Assert.Equal(3, rq.PresentationContexts[1].Id);
        Assert.Equal([TransferSyntax.ExplicitVRLittleEndian.Uid, TransferSyntax.ImplicitVRLittleEndian.Uid], rq.PresentationContexts[1].TransferSyntaxes);
    }

    [Fact]
    public void AeTitles_AreSpacePaddedTo16_AndTrimmedOfSpacesAndNuls()
    {
        var pdu = PduWriter.AssociateRequest(SampleRequest());
        Assert.Equal("ZSAD            "u8.ToArray(), pdu.AsSpan(6 + 4, 16).ToArray());
        pdu[6 + 20 + 3] = 0; // "SCU\0..." as some peers send
        pdu[6 + 20 + 4] = 0;
        Assert.Equal("SCU", PduReader.ParseAssociateRequest(Body(pdu)).CallingAE);
    }

    [Fact]
    public void UnknownUserInformationSubItems_AreIgnored()
    {
        var pdu = PduWriter.AssociateRequest(SampleRequest()).ToList();
        // append a user-identity sub-item (0x58) inside the user information item, fixing both lengths
        var userInfoAt = FindItem(pdu.ToArray(), 0x50);
        byte[] extra = [0x58, 0, 0, 4, 1, 0, 0, 0];
        var userLength = BinaryPrimitives.ReadUInt16BigEndian(pdu.ToArray().AsSpan(userInfoAt + 2));
        pdu.InsertRange(userInfoAt + 4 + userLength, extra);
        var bytes = pdu.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(userInfoAt + 2), (ushort)(userLength + extra.Length));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), (uint)(bytes.Length - 6));
        var rq = PduReader.ParseAssociateRequest(Body(bytes));
        Assert.Equal(32768u, rq.MaxPduLength);
    }

    private static int FindItem(byte[] pdu, byte type)
    {
        var pos = 6 + 68;
        while (pdu[pos] != type)
            pos += 4 + BinaryPrimitives.ReadUInt16BigEndian(pdu.AsSpan(pos + 2));
        return pos;
    }

    [Fact]
    public void PresentationContextIds_MustBeOdd()
    {
        var rq = SampleRequest(1);
        rq.PresentationContexts.Clear();
        rq.PresentationContexts.Add(new PresentationContext(2, DicomUid.MRImageStorage, [TransferSyntax.ImplicitVRLittleEndian.Uid]));
        var ex = Assert.Throws<DicomProtocolException>(() => PduReader.ParseAssociateRequest(Body(PduWriter.AssociateRequest(rq))));
        Assert.Contains("presentation context id 2 is not odd", ex.Message);
    }

    [Fact]
    public void AtMost128PresentationContexts_AreAccepted()
    {
        Assert.Equal(128, PduReader.ParseAssociateRequest(Body(PduWriter.AssociateRequest(SampleRequest(128)))).PresentationContexts.Count);
        var rq = SampleRequest(128);
        rq.PresentationContexts.Add(new PresentationContext(1, DicomUid.CTImageStorage, [TransferSyntax.ImplicitVRLittleEndian.Uid]));
        var ex = Assert.Throws<DicomProtocolException>(() => PduReader.ParseAssociateRequest(Body(PduWriter.AssociateRequest(rq))));
        Assert.Contains("more than 128 presentation contexts", ex.Message);
    }

    [Fact]
    public void AssociateAccept_CarriesResultAndOneTransferSyntaxPerContext()
    {
        var ac = new AssociationParameters { CalledAE = "ZSAD", CallingAE = "SCU", MaxPduLength = 65536, AsyncOperations = (1, 1) };
        ac.PresentationContexts.Add(new PresentationContext(1, DicomUid.MRImageStorage, []) { Result = PresentationContextResult.Acceptance, AcceptedTransferSyntax = TransferSyntax.ExplicitVRLittleEndian.Uid });
        ac.PresentationContexts.Add(new PresentationContext(3, "1.2.3", []) { Result = PresentationContextResult.AbstractSyntaxNotSupported });
        var parsed = PduReader.ParseAssociateAccept(Body(PduWriter.AssociateAccept(ac)));
        Assert.Equal(TransferSyntax.ExplicitVRLittleEndian.Uid, parsed.FindContext(1)!.AcceptedTransferSyntax);
        Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported, parsed.FindContext(3)!.Result);
        Assert.Null(parsed.FindContext(3)!.AcceptedTransferSyntax);
        Assert.Equal(((ushort)1, (ushort)1), parsed.AsyncOperations);
        Assert.Equal(65536u, parsed.MaxPduLength);
    }

    [Fact]
    public void AssociateReject_IsTenBytes()
    {
        var pdu = PduWriter.AssociateReject(new AssociateReject(1, 1, 7));
        Assert.Equal(new byte[] { 3, 0, 0, 0, 0, 4, 0, 1, 1, 7 }, pdu);
        Assert.Equal(new AssociateReject(1, 1, 7), PduReader.ParseAssociateReject(Body(pdu)));
    }

    [Fact]
    public void ReleaseAndAbort_AreTenBytes()
    {
        Assert.Equal(new byte[] { 5, 0, 0, 0, 0, 4, 0, 0, 0, 0 }, PduWriter.ReleaseRequest());
        Assert.Equal(new byte[] { 6, 0, 0, 0, 0, 4, 0, 0, 0, 0 }, PduWriter.ReleaseResponse());
        Assert.Equal(new byte[] { 7, 0, 0, 0, 0, 4, 0, 0, 2, 6 }, PduWriter.Abort(new AbortPdu(2, 6)));
        Assert.Equal(new AbortPdu(2, 6), PduReader.ParseAbort(PduWriter.Abort(new AbortPdu(2, 6)).AsSpan(6)));
    }

    [Fact]
    public void OnlyCompletePdus_AreFramed()
    {
        var pdu = PduWriter.AssociateRequest(SampleRequest());
        for (var n = 0; n < pdu.Length; n += 7)
        {
            var partial = new ReadOnlySequence<byte>(pdu, 0, n);
            Assert.False(PduReader.TryReadFrame(ref partial, 16384, out _));
        }
        var two = new ReadOnlySequence<byte>([.. pdu, .. PduWriter.ReleaseRequest()]);
        Assert.True(PduReader.TryReadFrame(ref two, 16384, out var first));
        using (first)
            Assert.Equal(PduType.AssociateRequest, first!.Type);
        Assert.Equal(10, two.Length);
    }

    [Fact]
    public void DataPduLongerThanOurMaxPdu_IsRefusedFromItsHeader()
    {
        byte[] header = [4, 0, 0, 0, 0x40, 0x01];
        var seq = new ReadOnlySequence<byte>(header);
        var ex = Assert.Throws<DicomProtocolException>(() => PduReader.TryReadFrame(ref seq, 16384, out _));
        Assert.Equal("P-DATA-TF PDU of 16385 bytes exceeds the max PDU length 16384 (at PDU byte 2)", ex.Message);
        Assert.Equal(AbortPdu.ReasonInvalidParameterValue, ex.AbortReason);
    }

    [Fact]
    public void UnknownPduType_IsUnrecognised()
    {
        var seq = new ReadOnlySequence<byte>(new byte[] { 9, 0, 0, 0, 0, 0 });
        var ex = Assert.Throws<DicomProtocolException>(() => PduReader.TryReadFrame(ref seq, 16384, out _));
        Assert.Equal(AbortPdu.ReasonUnrecognizedPdu, ex.AbortReason);
    }

    [Fact]
    public void PdvHeader_EncodesLengthsContextAndControlBits()
    {
        var buffer = new byte[12];
        PduWriter.WriteDataHeader(buffer, 100, 5, isCommand: true, isLast: true);
        Assert.Equal(new byte[] { 4, 0, 0, 0, 0, 106, 0, 0, 0, 102, 5, 3 }, buffer);
        var pdv = Assert.Single(PduReader.ParseDataTransfer(new byte[] { 0, 0, 0, 4, 7, 2, 0xAA, 0xBB }));
        Assert.Equal(new Pdv(7, false, true, pdv.Data), pdv);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, pdv.Data.ToArray());
    }

    [Fact]
    public void PdvLengthOverrunningThePdu_IsRejected()
    {
        var ex = Assert.Throws<DicomProtocolException>(() => PduReader.ParseDataTransfer(new byte[] { 0, 0, 0, 9, 1, 2, 0 }));
        Assert.Contains("PDV item length 9 does not fit the PDU", ex.Message);
    }
}
