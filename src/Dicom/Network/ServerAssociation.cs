using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Zsad.Dicom.Network;

/// <summary>The acceptor side of one connection: ARTIM wait for A-ASSOCIATE-RQ, negotiation, then the DIMSE loop
/// until release, abort, timeout or a protocol error (answered with A-ABORT). It runs on a thread of its own with
/// blocking socket I/O (see <see cref="DicomServer"/>): the kernel wakes that thread when data arrives, instead of
/// each receive completion hopping through the thread pool, whose idle workers spin on cores the senders need.</summary>
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

    public void Run(CancellationToken ct)
    {
        var remote = _socket.RemoteEndPoint as IPEndPoint;
        // Stopping the server ends the blocking read (it sees end of stream) and the loop then sends A-ABORT.
        using var stopping = ct.Register(() => _connection?.StopReceiving());
        try
        {
            Stream stream = new NetworkStream(_socket, ownsSocket: false);
            if (_options.Tls is { } tls)
                stream = AuthenticateAsync(stream, tls, ct).GetAwaiter().GetResult();
            _connection = new DicomConnection(stream, _socket) { ReceiveMaxPduLength = _options.MaxPduLength };
            if (ct.IsCancellationRequested)
                _connection.StopReceiving(); // stopped before the registration could see the connection
            NegotiateAndServe(remote, ct);
        }
        catch (Exception ex) when (ct.IsCancellationRequested && ex is OperationCanceledException or IOException or SocketException or DicomProtocolException)
        {
            _logger.LogInformation("{AssociationId} aborted: server stopping", _id);
            TryAbort(AbortPdu.ReasonNotSpecified);
        }
        catch (DicomProtocolException ex)
        {
            _logger.LogWarning("{AssociationId} protocol error from {Remote}: {Error}; sending A-ABORT", _id, remote, ex.Message);
            TryAbort(ex.AbortReason);
        }
        catch (TimeoutException ex)
        {
            _logger.LogWarning("{AssociationId} from {Remote} timed out: {Error}; sending A-ABORT", _id, remote, ex.Message);
            TryAbort(AbortPdu.ReasonNotSpecified);
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            _logger.LogInformation("{AssociationId} from {Remote}: transport closed ({Error})", _id, remote, ex.Message);
        }
        catch (Exception ex)
        {
            // Contained here: whatever went wrong belongs to this association only.
            _logger.LogError(ex, "{AssociationId} from {Remote} failed", _id, remote);
            TryAbort(AbortPdu.ReasonNotSpecified);
        }
        finally
        {
            if (_connection is not null)
                _connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
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

    private void NegotiateAndServe(IPEndPoint? remote, CancellationToken ct)
    {
        var connection = _connection!;
        AssociateReject? reject;
        using (var first = connection.ReadPdu(_options.ArtimTimeout))
        {
            if (first is null)
            {
                ct.ThrowIfCancellationRequested();
                return; // port probe: connected and closed
            }
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
            connection.SendPdu(PduWriter.AssociateReject(rj));
            connection.WaitForPeerClose(_options.ArtimTimeout);
            return;
        }
        try
        {
            _ac = AssociationNegotiator.Accept(_rq, _options);
            connection.SendMaxPduLength = _rq.MaxPduLength;
            connection.SendPdu(PduWriter.AssociateAccept(_ac));
            _logger.LogInformation("{AssociationId} accepted {CallingAE} -> {CalledAE} from {Remote}: {Accepted}/{Proposed} contexts, peer max PDU {PeerMaxPdu}, implementation {Implementation}",
                _id, _rq.CallingAE, _rq.CalledAE, remote, _ac.PresentationContexts.Count(pc => pc.IsAccepted), _ac.PresentationContexts.Count,
                _rq.MaxPduLength, _rq.ImplementationVersionName ?? _rq.ImplementationClassUid);
            Serve(ct);
        }
        finally
        {
            _server.ExitAssociation();
        }
    }

    private void Serve(CancellationToken ct)
    {
        var connection = _connection!;
        using var assembler = new MessageAssembler(_options.MaxDatasetLength);
        var pdvs = new List<Pdv>(2);
        while (true)
        {
            var timeout = assembler.InProgress ? _options.DimseTimeout : _options.IdleTimeout;
            using var pdu = connection.ReadPdu(timeout);
            if (pdu is null)
            {
                ct.ThrowIfCancellationRequested();
                _logger.LogWarning("{AssociationId} peer closed the connection without A-RELEASE", _id);
                return;
            }
            switch (pdu.Type)
            {
                case PduType.DataTransfer:
                    PduReader.ParseDataTransfer(pdu.Body, pdvs);
                    foreach (var pdv in pdvs)
                    {
                        if (_ac!.FindContext(pdv.PresentationContextId) is not { IsAccepted: true })
                            throw new DicomProtocolException($"PDV on presentation context {pdv.PresentationContextId}, which was not accepted");
                        if (assembler.Add(pdv) is { } message)
                            Handle(message, ct);
                    }
                    break;
                case PduType.ReleaseRequest:
                    PduReader.ParseRelease(pdu.Body.Span);
                    connection.SendPdu(PduWriter.ReleaseResponse());
                    _logger.LogInformation("{AssociationId} released", _id);
                    connection.WaitForPeerClose(_options.ArtimTimeout);
                    return;
                case PduType.Abort:
                    _logger.LogWarning("{AssociationId} aborted by peer: {Abort}", _id, PduReader.ParseAbort(pdu.Body.Span));
                    return;
                default:
                    throw new DicomProtocolException($"unexpected {pdu.Type} PDU during an established association", AbortPdu.ReasonUnexpectedPdu);
            }
        }
    }

    private void Handle(DimseMessage message, CancellationToken ct)
    {
        var connection = _connection!;
        switch (message.CommandField)
        {
            case DimseCommand.CEchoRequest:
                var echoId = (ushort)(message.Command.GetInt(DicomTags.MessageID) ?? 0);
                connection.SendMessage(message.PresentationContextId, DimseCommand.EchoResponse(echoId, DicomStatus.Success), null);
                _logger.LogDebug("{AssociationId} C-ECHO answered", _id);
                break;
            case DimseCommand.CStoreRequest:
                // sent only once the store has completed, i.e. (for a durable store) once the instance is on disk
                var response = Store(message, ct);
                connection.SendMessage(message.PresentationContextId, response, null);
                break;
            case var field when (field & 0x8000) != 0:
                throw new DicomProtocolException($"unexpected DIMSE response 0x{field:X4} sent to an SCP", AbortPdu.ReasonUnexpectedParameter);
            default:
                _logger.LogWarning("{AssociationId} unsupported DIMSE command 0x{CommandField:X4}", _id, message.CommandField);
                connection.SendMessage(message.PresentationContextId, DimseCommand.UnsupportedResponse(message.Command), null);
                break;
        }
    }

    private DicomDataset Store(DimseMessage message, CancellationToken ct)
    {
        var command = message.Command;
        var messageId = (ushort)(command.GetInt(DicomTags.MessageID) ?? 0);
        var sopClass = command.GetString(DicomTags.AffectedSOPClassUID) ?? "";
        var sopInstance = command.GetString(DicomTags.AffectedSOPInstanceUID) ?? "";
        var pc = _ac!.FindContext(message.PresentationContextId)!;
        var (status, comment) = StoreCore(message, pc, sopClass, sopInstance, ct);
        if (status == DicomStatus.Success)
            _logger.LogDebug("{AssociationId} stored {SopInstanceUid} ({Syntax}, {Length} bytes)", _id, sopInstance, pc.AcceptedTransferSyntax, message.Dataset?.Length);
        else
            _logger.LogWarning("{AssociationId} C-STORE of {SopInstanceUid} failed with {Status:X4}: {Comment}", _id, sopInstance, status, comment);
        return DimseCommand.StoreResponse(messageId, sopClass, sopInstance, status, comment);
    }

    private (ushort Status, string? Comment) StoreCore(DimseMessage message, PresentationContext pc, string sopClass, string sopInstance, CancellationToken ct)
    {
        if (message.Dataset is null)
            return (DicomStatus.CannotUnderstand, "C-STORE-RQ without a dataset");
        if (sopClass != pc.AbstractSyntax || !_options.SopClasses.Contains(sopClass))
            return (DicomStatus.SopClassNotSupported, $"SOP class {sopClass} not served on context {pc.Id}");
        // This association's own thread waits for the store (the group commit included): blocking here is the design.
        var result = InboundStore.StoreAsync(message, pc, sopClass, sopInstance, _options.ParseDatasets, _options.MaxDatasetLength,
            (data, dataset, syntax) => new ReceivedInstance(sopClass, sopInstance, syntax, data, dataset, _rq!.CallingAE, _rq.CalledAE, _connection!.RemoteEndPoint, _id),
            _server.Store, _logger, _id, ct).GetAwaiter().GetResult();
        if (result.Status == DicomStatus.Success)
            _server.CountStored();
        return result;
    }

    private void TryAbort(byte reason)
    {
        if (_connection is null)
            return;
        try
        {
            _socket.SendTimeout = 2000; // a peer that reads nothing must not hold this thread
            _connection.SendPdu(PduWriter.Abort(new AbortPdu(AbortPdu.SourceServiceProvider, reason)));
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or NotSupportedException)
        {
            // the peer is gone already; nothing left to tell it
        }
    }
}
