using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Zsad.Dicom.Network;

/// <summary>The acceptor side of one connection: ARTIM wait for A-ASSOCIATE-RQ, negotiation, then the DIMSE loop
/// until release, abort, timeout or a protocol error (answered with A-ABORT).</summary>
internal sealed class ServerAssociation
{
    private readonly DicomServer _server;
    private readonly Socket _socket;
    private readonly DicomServerOptions _options;
    private readonly ILogger _logger;
    private readonly string _id;
    private DicomConnection? _connection;
    private AssociationParameters? _rq;
    private AssociationParameters? _ac;

    public ServerAssociation(DicomServer server, Socket socket, int id)
    {
        _server = server;
        _socket = socket;
        _options = server.Options;
        _logger = server.Logger;
        _id = $"scp-{id}";
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var remote = _socket.RemoteEndPoint as IPEndPoint;
        try
        {
            Stream stream = new NetworkStream(_socket, ownsSocket: false);
            if (_options.Tls is { } tls)
                stream = await AuthenticateAsync(stream, tls, ct).ConfigureAwait(false);
            _connection = new DicomConnection(stream, _socket) { ReceiveMaxPduLength = _options.MaxPduLength };
            await NegotiateAndServeAsync(remote, ct).ConfigureAwait(false);
        }
        catch (DicomProtocolException ex)
        {
            _logger.LogWarning("{AssociationId} protocol error from {Remote}: {Error}; sending A-ABORT", _id, remote, ex.Message);
            await TryAbortAsync(ex.AbortReason).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            _logger.LogWarning("{AssociationId} from {Remote} timed out: {Error}; sending A-ABORT", _id, remote, ex.Message);
            await TryAbortAsync(AbortPdu.ReasonNotSpecified).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _logger.LogInformation("{AssociationId} aborted: server stopping", _id);
            await TryAbortAsync(AbortPdu.ReasonNotSpecified).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            _logger.LogInformation("{AssociationId} from {Remote}: transport closed ({Error})", _id, remote, ex.Message);
        }
        catch (Exception ex)
        {
            // Contained here: whatever went wrong belongs to this association only.
            _logger.LogError(ex, "{AssociationId} from {Remote} failed", _id, remote);
            await TryAbortAsync(AbortPdu.ReasonNotSpecified).ConfigureAwait(false);
        }
        finally
        {
            if (_connection is not null)
                await _connection.DisposeAsync().ConfigureAwait(false);
            else
                _socket.Dispose();
        }
    }

    private async Task<Stream> AuthenticateAsync(Stream stream, DicomTlsOptions tls, CancellationToken ct)
    {
        var requireClientCert = tls.TrustedCertificatesPath is not null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false, tls.Validator(requireClientCert));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_options.ArtimTimeout);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = TlsCertificateCache.Get(tls),
            ClientCertificateRequired = requireClientCert,
            EnabledSslProtocols = tls.Protocols,
        }, cts.Token).ConfigureAwait(false);
        return ssl;
    }

    private async Task NegotiateAndServeAsync(IPEndPoint? remote, CancellationToken ct)
    {
        var connection = _connection!;
        AssociateReject? reject;
        using (var first = await connection.ReadPduAsync(_options.ArtimTimeout, ct).ConfigureAwait(false))
        {
            if (first is null)
                return; // port probe: connected and closed
            if (first.Type != PduType.AssociateRequest)
                throw new DicomProtocolException($"expected A-ASSOCIATE-RQ, got {first.Type}", AbortPdu.ReasonUnexpectedPdu);
            _rq = PduReader.ParseAssociateRequest(first.Body.Span);
        }
        reject = AssociationNegotiator.Screen(_rq, _options, remote?.Address);
        var entered = false;
        if (reject is null)
        {
            entered = _server.TryEnterAssociation();
            if (!entered)
                reject = new AssociateReject(AssociateReject.ResultTransient, AssociateReject.SourceServiceProviderPresentation, AssociateReject.ReasonLocalLimitExceeded);
        }
        if (reject is { } rj)
        {
            _server.CountRejection();
            _logger.LogWarning("{AssociationId} rejected {CallingAE} -> {CalledAE} from {Remote}: {Reject}", _id, _rq.CallingAE, _rq.CalledAE, remote, rj);
            await connection.SendPduAsync(PduWriter.AssociateReject(rj), ct).ConfigureAwait(false);
            await connection.WaitForPeerCloseAsync(_options.ArtimTimeout).ConfigureAwait(false);
            return;
        }
        try
        {
            _ac = AssociationNegotiator.Accept(_rq, _options);
            connection.SendMaxPduLength = _rq.MaxPduLength;
            await connection.SendPduAsync(PduWriter.AssociateAccept(_ac), ct).ConfigureAwait(false);
            _logger.LogInformation("{AssociationId} accepted {CallingAE} -> {CalledAE} from {Remote}: {Accepted}/{Proposed} contexts, peer max PDU {PeerMaxPdu}, implementation {Implementation}",
                _id, _rq.CallingAE, _rq.CalledAE, remote, _ac.PresentationContexts.Count(pc => pc.IsAccepted), _ac.PresentationContexts.Count,
                _rq.MaxPduLength, _rq.ImplementationVersionName ?? _rq.ImplementationClassUid);
            await ServeAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _server.ExitAssociation();
        }
    }

    private async Task ServeAsync(CancellationToken ct)
    {
        var connection = _connection!;
        var assembler = new MessageAssembler(_options.MaxDatasetLength);
        while (true)
        {
            var timeout = assembler.InProgress ? _options.DimseTimeout : _options.IdleTimeout;
            using var pdu = await connection.ReadPduAsync(timeout, ct).ConfigureAwait(false);
            if (pdu is null)
            {
                _logger.LogWarning("{AssociationId} peer closed the connection without A-RELEASE", _id);
                return;
            }
            switch (pdu.Type)
            {
                case PduType.DataTransfer:
                    foreach (var pdv in PduReader.ParseDataTransfer(pdu.Body))
                    {
                        if (_ac!.FindContext(pdv.PresentationContextId) is not { IsAccepted: true })
                            throw new DicomProtocolException($"PDV on presentation context {pdv.PresentationContextId}, which was not accepted");
                        if (assembler.Add(pdv) is { } message)
                            await HandleAsync(message, ct).ConfigureAwait(false);
                    }
                    break;
                case PduType.ReleaseRequest:
                    PduReader.ParseRelease(pdu.Body.Span);
                    await connection.SendPduAsync(PduWriter.ReleaseResponse(), ct).ConfigureAwait(false);
                    _logger.LogInformation("{AssociationId} released", _id);
                    await connection.WaitForPeerCloseAsync(_options.ArtimTimeout).ConfigureAwait(false);
                    return;
                case PduType.Abort:
                    _logger.LogWarning("{AssociationId} aborted by peer: {Abort}", _id, PduReader.ParseAbort(pdu.Body.Span));
                    return;
                default:
                    throw new DicomProtocolException($"unexpected {pdu.Type} PDU during an established association", AbortPdu.ReasonUnexpectedPdu);
            }
        }
    }

    private async Task HandleAsync(DimseMessage message, CancellationToken ct)
    {
        var connection = _connection!;
        switch (message.CommandField)
        {
            case DimseCommand.CEchoRequest:
                var echoId = (ushort)(message.Command.GetInt(DicomTags.MessageID) ?? 0);
                await connection.SendMessageAsync(message.PresentationContextId, DimseCommand.EchoResponse(echoId, DicomStatus.Success), null, ct).ConfigureAwait(false);
                _logger.LogDebug("{AssociationId} C-ECHO answered", _id);
                break;
            case DimseCommand.CStoreRequest:
                var response = await StoreAsync(message, ct).ConfigureAwait(false);
                await connection.SendMessageAsync(message.PresentationContextId, response, null, ct).ConfigureAwait(false);
                break;
            case var field when (field & 0x8000) != 0:
                throw new DicomProtocolException($"unexpected DIMSE response 0x{field:X4} sent to an SCP", AbortPdu.ReasonUnexpectedParameter);
            default:
                _logger.LogWarning("{AssociationId} unsupported DIMSE command 0x{CommandField:X4}", _id, message.CommandField);
                await connection.SendMessageAsync(message.PresentationContextId, DimseCommand.UnsupportedResponse(message.Command), null, ct).ConfigureAwait(false);
                break;
        }
    }

    private async Task<DicomDataset> StoreAsync(DimseMessage message, CancellationToken ct)
    {
        var command = message.Command;
        var messageId = (ushort)(command.GetInt(DicomTags.MessageID) ?? 0);
        var sopClass = command.GetString(DicomTags.AffectedSOPClassUID) ?? "";
        var sopInstance = command.GetString(DicomTags.AffectedSOPInstanceUID) ?? "";
        var pc = _ac!.FindContext(message.PresentationContextId)!;
        var (status, comment) = await StoreCoreAsync(message, pc, sopClass, sopInstance, ct).ConfigureAwait(false);
        if (status == DicomStatus.Success)
            _logger.LogDebug("{AssociationId} stored {SopInstanceUid} ({Syntax}, {Length} bytes)", _id, sopInstance, pc.AcceptedTransferSyntax, message.Dataset?.Length);
        else
            _logger.LogWarning("{AssociationId} C-STORE of {SopInstanceUid} failed with {Status:X4}: {Comment}", _id, sopInstance, status, comment);
        return DimseCommand.StoreResponse(messageId, sopClass, sopInstance, status, comment);
    }

    private Task<(ushort Status, string? Comment)> StoreCoreAsync(DimseMessage message, PresentationContext pc, string sopClass, string sopInstance, CancellationToken ct)
    {
        if (message.Dataset is null)
            return Task.FromResult<(ushort, string?)>((DicomStatus.CannotUnderstand, "C-STORE-RQ without a dataset"));
        if (sopClass != pc.AbstractSyntax || !_options.SopClasses.Contains(sopClass))
            return Task.FromResult<(ushort, string?)>((DicomStatus.SopClassNotSupported, $"SOP class {sopClass} not served on context {pc.Id}"));
        return InboundStore.StoreAsync(message, pc, sopClass, sopInstance, _options.ParseDatasets, _options.MaxDatasetLength,
            (data, dataset, syntax) => new ReceivedInstance(sopClass, sopInstance, syntax, data, dataset, _rq!.CallingAE, _rq.CalledAE, _connection!.RemoteEndPoint, _id),
            _server.Store, _logger, _id, ct);
    }

    private async Task TryAbortAsync(byte reason)
    {
        if (_connection is null)
            return;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _connection.SendPduAsync(PduWriter.Abort(new AbortPdu(AbortPdu.SourceServiceProvider, reason)), cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or NotSupportedException)
        {
            // the peer is gone already; nothing left to tell it
        }
    }
}
