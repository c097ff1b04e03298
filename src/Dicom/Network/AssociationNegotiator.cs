using System.Net;

namespace Zsad.Dicom.Network;

/// <summary>The acceptor's decisions on an A-ASSOCIATE-RQ (PS3.8 9.3.3/9.3.4, PS3.7 D.3.3): reject the whole
/// association, or answer each presentation context. Pure, so every rule is unit-tested without sockets.</summary>
public static class AssociationNegotiator
{
    /// <summary>Returns the rejection to send, or null when the association may proceed.</summary>
    public static AssociateReject? Screen(AssociationParameters rq, DicomServerOptions options, IPAddress? remoteAddress)
    {
        if ((rq.ProtocolVersion & 1) == 0)
            return new AssociateReject(AssociateReject.ResultPermanent, AssociateReject.SourceServiceProviderAcse, AssociateReject.ReasonProtocolVersionNotSupported);
        if (rq.ApplicationContext != DicomUid.ApplicationContext)
            return new AssociateReject(AssociateReject.ResultPermanent, AssociateReject.SourceServiceUser, AssociateReject.ReasonApplicationContextNotSupported);
        if (options.CheckCalledAETitle && !string.Equals(rq.CalledAE, options.AETitle.Trim(), StringComparison.Ordinal))
            return new AssociateReject(AssociateReject.ResultPermanent, AssociateReject.SourceServiceUser, AssociateReject.ReasonCalledAENotRecognized);
        if (options.AllowedCallingAETitles is { Count: > 0 } allowed && !allowed.Any(ae => string.Equals(ae.Trim(), rq.CallingAE, StringComparison.Ordinal)))
            return new AssociateReject(AssociateReject.ResultPermanent, AssociateReject.SourceServiceUser, AssociateReject.ReasonCallingAENotRecognized);
        if (options.AllowedSourceAddresses is { Count: > 0 } addresses)
        {
            var address = remoteAddress is { IsIPv4MappedToIPv6: true } ? remoteAddress.MapToIPv4() : remoteAddress;
            if (address is null || !addresses.Any(a => (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(address)))
                return new AssociateReject(AssociateReject.ResultPermanent, AssociateReject.SourceServiceUser, AssociateReject.ReasonNoReasonGiven);
        }
        return null;
    }

    /// <summary>Builds the A-ASSOCIATE-AC: result 3 for abstract syntaxes not served, 4 when no proposed transfer
    /// syntax is accepted, the async window answered 1/1 when proposed, role selection left unanswered.</summary>
    public static AssociationParameters Accept(AssociationParameters rq, DicomServerOptions options)
    {
        var ac = new AssociationParameters
        {
            CalledAE = rq.CalledAE,
            CallingAE = rq.CallingAE,
            MaxPduLength = options.MaxPduLength,
            AsyncOperations = rq.AsyncOperations is null ? null : ((ushort)1, (ushort)1),
        };
        foreach (var proposed in rq.PresentationContexts)
        {
            var pc = new PresentationContext(proposed.Id, proposed.AbstractSyntax, proposed.TransferSyntaxes);
            if (proposed.AbstractSyntax != DicomUid.Verification && !options.SopClasses.Contains(proposed.AbstractSyntax))
            {
                pc.Result = PresentationContextResult.AbstractSyntaxNotSupported;
            }
            else if (SelectTransferSyntax(proposed.TransferSyntaxes, options.TransferSyntaxes) is { } ts)
            {
                pc.Result = PresentationContextResult.Acceptance;
                pc.AcceptedTransferSyntax = ts;
            }
            else
            {
                pc.Result = PresentationContextResult.TransferSyntaxesNotSupported;
            }
            ac.PresentationContexts.Add(pc);
        }
        return ac;
    }

    /// <summary>The first proposed syntax we accept, in the proposer's order (it knows what its data is in), except
    /// that Big Endian is taken only when nothing else is acceptable.</summary>
    public static string? SelectTransferSyntax(IReadOnlyList<string> proposed, IReadOnlyCollection<TransferSyntax> accepted)
    {
        string? bigEndian = null;
        foreach (var uid in proposed)
        {
            if (TransferSyntax.Lookup(uid) is not { } ts || !accepted.Contains(ts))
                continue;
            if (ts.IsBigEndian)
            {
                bigEndian ??= uid;
                continue;
            }
            return uid;
        }
        return bigEndian;
    }
}
