using System.Net;
using Zsad.Dicom.Network;

namespace Zsad.Dicom.Tests.Network;

/// <summary>The acceptor's rules for A-ASSOCIATE-RQ (PS3.8 9.3.3/9.3.4).</summary>
public sealed class NegotiationTests
{
    private static readonly DicomServerOptions Options = new() { Port = 0, AETitle = "ZSAD", AllowedCallingAETitles = ["GOOD"] };

    private static AssociationParameters Rq(string called = "ZSAD", string calling = "GOOD", params (string Sop, string[] Ts)[] contexts)
    {
        var rq = new AssociationParameters { CalledAE = called, CallingAE = calling };
        byte id = 1;
        foreach (var (sop, ts) in contexts)
        {
            rq.PresentationContexts.Add(new PresentationContext(id, sop, ts));
            id += 2;
        }
        return rq;
    }

    [Fact]
    public void WrongCalledAE_IsRejectedPermanently_Source1Reason7()
        => Assert.Equal(new AssociateReject(1, 1, 7), AssociationNegotiator.Screen(Rq(called: "OTHER"), Options, IPAddress.Loopback));

    [Fact]
    public void CallingAENotAllowed_IsRejectedPermanently_Source1Reason3()
        => Assert.Equal(new AssociateReject(1, 1, 3), AssociationNegotiator.Screen(Rq(calling: "EVIL"), Options, IPAddress.Loopback));

    [Fact]
    public void SourceAddressNotAllowed_IsRejected()
    {
        var options = new DicomServerOptions { Port = 0, AETitle = "ZSAD", AllowedSourceAddresses = [IPAddress.Parse("10.0.0.1")] };
        Assert.Equal(new AssociateReject(1, 1, 1), AssociationNegotiator.Screen(Rq(), options, IPAddress.Loopback));
        Assert.Null(AssociationNegotiator.Screen(Rq(), options, IPAddress.Parse("10.0.0.1").MapToIPv6()));
    }

    [Fact]
    public void UnknownApplicationContext_IsRejected_Reason2()
    {
        var rq = Rq();
        rq.ApplicationContext = "1.2.3";
        Assert.Equal(new AssociateReject(1, 1, 2), AssociationNegotiator.Screen(rq, Options, IPAddress.Loopback));
    }

    [Fact]
    public void UnsupportedAbstractSyntax_GetsResult3_UnsupportedSyntaxesResult4()
    {
        var ac = AssociationNegotiator.Accept(Rq(contexts:
            [("1.2.840.10008.5.1.4.1.1.481.1", [TransferSyntax.ImplicitVRLittleEndian.Uid]),
             (DicomUid.MRImageStorage, [TransferSyntax.JPEGBaseline.Uid, TransferSyntax.JPEG2000.Uid]),
             (DicomUid.SegmentationStorage, [TransferSyntax.ImplicitVRLittleEndian.Uid])]), Options);
        Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported, ac.FindContext(1)!.Result);
        Assert.Equal(PresentationContextResult.TransferSyntaxesNotSupported, ac.FindContext(3)!.Result);
        Assert.Equal(TransferSyntax.ImplicitVRLittleEndian.Uid, ac.FindContext(5)!.AcceptedTransferSyntax);
    }

    [Fact]
    public void BigEndian_IsNeverPicked_WhenProposedWithOthers()
    {
        var all = new[] { TransferSyntax.ExplicitVRBigEndian, TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian };
        Assert.Equal(TransferSyntax.ImplicitVRLittleEndian.Uid,
            AssociationNegotiator.SelectTransferSyntax([TransferSyntax.ExplicitVRBigEndian.Uid, TransferSyntax.ImplicitVRLittleEndian.Uid], all));
        Assert.Equal(TransferSyntax.ExplicitVRBigEndian.Uid, AssociationNegotiator.SelectTransferSyntax([TransferSyntax.ExplicitVRBigEndian.Uid], all));
        Assert.Null(AssociationNegotiator.SelectTransferSyntax([TransferSyntax.ExplicitVRBigEndian.Uid], DicomServerOptions.DefaultTransferSyntaxes));
    }

    [Fact]
    public void ProposersOrder_DecidesAmongAcceptedSyntaxes()
        => Assert.Equal(TransferSyntax.DeflatedExplicitVRLittleEndian.Uid, AssociationNegotiator.SelectTransferSyntax(
            [TransferSyntax.JPEGBaseline.Uid, TransferSyntax.DeflatedExplicitVRLittleEndian.Uid, TransferSyntax.ExplicitVRLittleEndian.Uid], DicomServerOptions.DefaultTransferSyntaxes));

    [Fact]
    public void AsyncOperationsWindow_IsAnswered1By1()
    {
        var rq = Rq(contexts: [(DicomUid.Verification, [TransferSyntax.ImplicitVRLittleEndian.Uid])]);
        rq.AsyncOperations = (16, 16);
        Assert.Equal(((ushort)1, (ushort)1), AssociationNegotiator.Accept(rq, Options).AsyncOperations);
        rq.AsyncOperations = null;
        Assert.Null(AssociationNegotiator.Accept(rq, Options).AsyncOperations);
    }

    [Fact]
    public void OptionsValidation_NamesTheKey()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DicomServerOptions { AETitle = "THIS-AE-TITLE-IS-TOO-LONG" }.Validate());
        Assert.StartsWith("DicomServerOptions.AETitle:", ex.Message);
    }
}
