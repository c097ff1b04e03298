using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zsad.Dicom.Network;

/// <summary>The requestor side of one association: connect, A-ASSOCIATE, request/response DIMSE exchanges
/// (one outstanding operation, as negotiated by default), then A-RELEASE or A-ABORT.</summary>
public sealed class DicomClientAssociation : IAsyncDisposable
{
    private readonly DicomConnection _connection;
    private readonly DicomClientOptions _options;
    private readonly ILogger _logger;
    private readonly MessageAssembler _assembler = new(64L * 1024 * 1024);
    private ushort _messageId;
    private bool _closed;

    private DicomClientAssociation(DicomConnection connection, DicomClientOptions options, AssociationParameters request, AssociationParameters accept, ILogger logger)
    {
        _connection = connection;
        _options = options;
        Request = request;
        Accept = accept;
        _logger = logger;
    }

    /// <summary>Our A-ASSOCIATE-RQ, its contexts updated with the acceptor's results.</summary>
    public AssociationParameters Request { get; }
    public AssociationParameters Accept { get; }

    /// <summary>Opens an association proposing the given contexts (ids assigned 1, 3, 5, ...).</summary>
    /// <exception cref="DicomAssociationRejectedException">A-ASSOCIATE-RJ.</exception>
    public static Task<DicomClientAssociation> OpenAsync(DicomClientOptions options, IEnumerable<(string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes)> contexts, CancellationToken cancellationToken = default)
        => OpenAsync(options, contexts, [], cancellationToken);

    /// <summary>Opens an association proposing the given contexts and SCP/SCU role selections (PS3.7 D.3.3.4; a
    /// C-GET SCU proposes the SCP role for the storage classes its sub-operations use).</summary>
    public static async Task<DicomClientAssociation> OpenAsync(DicomClientOptions options, IEnumerable<(string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes)> contexts,
        IEnumerable<RoleSelection> roles, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DicomClientAssociation>();
        var rq = new AssociationParameters { CalledAE = options.CalledAE.Trim(), CallingAE = options.CallingAE.Trim(), MaxPduLength = options.MaxPduLength };
        byte id = 1;
        foreach (var (abstractSyntax, syntaxes) in contexts)
        {
            if (rq.PresentationContexts.Count == AssociationParameters.MaxPresentationContexts)
                throw new ArgumentException($"more than {AssociationParameters.MaxPresentationContexts} presentation contexts", nameof(contexts));
            rq.PresentationContexts.Add(new PresentationContext(id, abstractSyntax, syntaxes));
            id += 2;
        }
        rq.RoleSelections.AddRange(roles);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        DicomConnection? connection = null;
        var handedOver = false;
        try
        {
            using (var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                cts.CancelAfter(options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(options.Host, options.Port, cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"no TCP connection to {options.Host}:{options.Port} within {options.ConnectTimeout.TotalSeconds:0.#} s");
                }
            }
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (options.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, tls.Validator(requireCertificate: true));
                stream = ssl;
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                cts.CancelAfter(options.AssociationTimeout);
                var cert = TlsCertificateCache.Get(tls);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = tls.ServerName ?? options.Host,
                    ClientCertificates = cert is null ? null : [cert],
                    EnabledSslProtocols = tls.Protocols,
                }, cts.Token).ConfigureAwait(false);
            }
            connection = new DicomConnection(stream, socket) { ReceiveMaxPduLength = options.MaxPduLength };
            await connection.SendPduAsync(PduWriter.AssociateRequest(rq), cancellationToken).ConfigureAwait(false);
            using var pdu = await connection.ReadPduAsync(options.AssociationTimeout, cancellationToken).ConfigureAwait(false)
                ?? throw new IOException("the peer closed the connection instead of answering A-ASSOCIATE-RQ");
            switch (pdu.Type)
            {
                case PduType.AssociateAccept:
                    var ac = PduReader.ParseAssociateAccept(pdu.Body.Span);
                    foreach (var pc in rq.PresentationContexts)
                    {
                        var answer = ac.FindContext(pc.Id);
                        pc.Result = answer?.Result ?? PresentationContextResult.NoReason;
                        pc.AcceptedTransferSyntax = answer is { Result: PresentationContextResult.Acceptance } ? answer.AcceptedTransferSyntax : null;
                    }
                    connection.SendMaxPduLength = ac.MaxPduLength;
                    logger.LogInformation("association {CallingAE} -> {CalledAE} at {Host}:{Port} accepted: {Accepted}/{Proposed} contexts, peer max PDU {PeerMaxPdu}",
                        rq.CallingAE, rq.CalledAE, options.Host, options.Port, rq.PresentationContexts.Count(p => p.IsAccepted), rq.PresentationContexts.Count, ac.MaxPduLength);
                    var association = new DicomClientAssociation(connection, options, rq, ac, logger);
                    handedOver = true;
                    return association;
                case PduType.AssociateReject:
                    var rj = PduReader.ParseAssociateReject(pdu.Body.Span);
                    logger.LogWarning("association {CallingAE} -> {CalledAE} at {Host}:{Port} rejected: {Reject}", rq.CallingAE, rq.CalledAE, options.Host, options.Port, rj);
                    throw new DicomAssociationRejectedException(rj);
                case PduType.Abort:
                    throw new DicomAssociationAbortedException(PduReader.ParseAbort(pdu.Body.Span));
                default:
                    throw new DicomProtocolException($"expected A-ASSOCIATE-AC or -RJ, got {pdu.Type}", AbortPdu.ReasonUnexpectedPdu);
            }
        }
        finally
        {
            if (!handedOver)
            {
                if (connection is not null)
                    await connection.DisposeAsync().ConfigureAwait(false);
                socket.Dispose();
            }
        }
    }

    /// <summary>The accepted context for a SOP class, preferring the given transfer syntax.</summary>
    public PresentationContext? FindAccepted(string sopClassUid, string? transferSyntaxUid = null)
    {
        PresentationContext? any = null;
        foreach (var pc in Request.PresentationContexts)
        {
            if (!pc.IsAccepted || pc.AbstractSyntax != sopClassUid)
                continue;
            if (transferSyntaxUid is null || pc.AcceptedTransferSyntax == transferSyntaxUid)
                return pc;
            any ??= pc;
        }
        return transferSyntaxUid is null ? any : null;
    }

    public ushort NextMessageId() => ++_messageId == 0 ? ++_messageId : _messageId;

    /// <summary>Sends a request and waits (DIMSE timeout) for its response.</summary>
    public async Task<DimseMessage> RequestAsync(byte contextId, DicomDataset command, ReadOnlyMemory<byte>? dataset, CancellationToken cancellationToken = default)
    {
        await SendAsync(contextId, command, dataset, cancellationToken).ConfigureAwait(false);
        return await ReceiveAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one DIMSE message (a request, a C-CANCEL, or a response to a sub-operation) without waiting.</summary>
    public async Task SendAsync(byte contextId, DicomDataset command, ReadOnlyMemory<byte>? dataset, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        await _connection.SendMessageAsync(contextId, command, dataset, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits (DIMSE timeout) for the next complete DIMSE message from the peer: a response, or a request
    /// such as the C-STORE sub-operations of a C-GET.</summary>
    public async Task<DimseMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        while (true)
        {
            using var pdu = await _connection.ReadPduAsync(_options.DimseTimeout, cancellationToken).ConfigureAwait(false)
                ?? throw new IOException("the peer closed the connection while a DIMSE message was awaited");
            switch (pdu.Type)
            {
                case PduType.DataTransfer:
                    DimseMessage? message = null;
                    foreach (var pdv in PduReader.ParseDataTransfer(pdu.Body))
                    {
                        if (FindContext(pdv.PresentationContextId) is not { IsAccepted: true })
                            throw new DicomProtocolException($"PDV on presentation context {pdv.PresentationContextId}, which was not accepted");
                        message = _assembler.Add(pdv) ?? message;
                    }
                    if (message is not null)
                        return message;
                    break;
                case PduType.Abort:
                    _closed = true;
                    throw new DicomAssociationAbortedException(PduReader.ParseAbort(pdu.Body.Span));
                case PduType.ReleaseRequest:
                    _closed = true;
                    throw new DicomProtocolException("the peer asked to release the association while a DIMSE message was awaited", AbortPdu.ReasonUnexpectedPdu);
                default:
                    throw new DicomProtocolException($"unexpected {pdu.Type} while a DIMSE message was awaited", AbortPdu.ReasonUnexpectedPdu);
            }
        }
    }

    /// <summary>The presentation context with this id, as proposed and answered.</summary>
    public PresentationContext? FindContext(byte id) => Request.FindContext(id);

    /// <summary>The peer's address, for received instances.</summary>
    internal System.Net.EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    public string CallingAE => Request.CallingAE;
    public string CalledAE => Request.CalledAE;

    public async Task<ushort> EchoAsync(CancellationToken cancellationToken = default)
    {
        var pc = FindAccepted(DicomUid.Verification) ?? throw new InvalidOperationException("the Verification SOP class was not accepted");
        var rsp = await RequestAsync(pc.Id, DimseCommand.EchoRequest(NextMessageId()), null, cancellationToken).ConfigureAwait(false);
        return rsp.Status;
    }

    /// <summary>A-RELEASE-RQ, then the wait (ARTIM) for A-RELEASE-RP.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (_closed)
            return;
        _closed = true;
        await _connection.SendPduAsync(PduWriter.ReleaseRequest(), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            using var pdu = await _connection.ReadPduAsync(_options.AssociationTimeout, cancellationToken).ConfigureAwait(false);
            if (pdu is null || pdu.Type is PduType.ReleaseResponse or PduType.Abort)
                return;
            // P-DATA still in flight or a release collision (PS3.8 9.2.6): keep waiting for RP
        }
    }

    /// <summary>A-ABORT (service user), then close.</summary>
    public async Task AbortAsync()
    {
        if (_closed)
            return;
        _closed = true;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _connection.SendPduAsync(PduWriter.Abort(new AbortPdu(AbortPdu.SourceServiceUser, 0)), cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            _logger.LogDebug("A-ABORT could not be sent: {Error}", ex.Message);
        }
    }

    /// <summary>Closes the transport; an association neither released nor aborted is aborted first.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_closed)
            await AbortAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
