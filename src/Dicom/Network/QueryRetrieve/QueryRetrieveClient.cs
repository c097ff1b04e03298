using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zsad.Dicom.IO;

namespace Zsad.Dicom.Network.QueryRetrieve;

/// <summary>Query/Retrieve SCU (PS3.4 C): C-FIND with its pending matches streamed as they arrive, C-MOVE to a
/// destination AE, and C-GET, whose C-STORE sub-operations come back on the same association (this SCU proposes the
/// storage classes with the SCP role and stores what arrives through a callback). Cancelling the token, or leaving a
/// C-FIND enumeration early, sends C-CANCEL and waits for the SCP's final response. One association per operation.</summary>
public sealed class QueryRetrieveClient
{
    /// <summary>How long the SCP gets to answer a C-CANCEL with its final response before the association is aborted.</summary>
    public static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(30);

    private static readonly string[] Uncompressed = [TransferSyntax.ExplicitVRLittleEndian.Uid, TransferSyntax.ImplicitVRLittleEndian.Uid];

    private readonly DicomClientOptions _options;
    private readonly ILogger _logger;
    private int _retrieves;

    public QueryRetrieveClient(DicomClientOptions options)
    {
        options.Validate();
        _options = options;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<QueryRetrieveClient>();
    }

    /// <summary>C-FIND: yields each match (pending response identifier) as it arrives.</summary>
    /// <exception cref="DicomQueryRetrieveException">The SCP refused the query or does not serve the model.</exception>
    public async IAsyncEnumerable<DicomDataset> FindAsync(DicomQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var identifier = query.Build();
        var sopClass = QueryRetrieveSopClasses.Find(query.Model);
        var association = await DicomClientAssociation.OpenAsync(_options, [(sopClass, Uncompressed)], cancellationToken).ConfigureAwait(false);
        var finished = false;
        byte contextId = 0;
        ushort messageId = 0;
        try
        {
            var pc = RequireContext(association, sopClass);
            contextId = pc.Id;
            var syntax = TransferSyntax.Get(pc.AcceptedTransferSyntax!);
            messageId = association.NextMessageId();
            await association.SendAsync(pc.Id, DimseCommand.QueryRetrieveRequest(DimseCommand.CFindRequest, messageId, sopClass),
                DicomDatasetWriter.Encode(identifier, syntax), cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var rsp = await association.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                ExpectResponse(rsp, DimseCommand.CFindResponse, messageId);
                var status = rsp.Status;
                if (DicomStatus.IsPending(status))
                {
                    if (rsp.Dataset is not { } data)
                        throw new DicomProtocolException($"pending C-FIND-RSP to message {messageId} without an identifier", AbortPdu.ReasonUnexpectedParameter);
                    // a copy: the reader keeps slices of the bytes, and the association's pooled buffer is
                    // overwritten by the next response while the caller may still hold this match
                    yield return DicomDatasetReader.Read(data.ToArray(), syntax);
                    continue;
                }
                finished = true;
                if (status is DicomStatus.Success or DicomStatus.Cancel)
                    break;
                throw Failure("C-FIND", rsp, association.CalledAE);
            }
            await association.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!finished)
                await CancelAsync(association, contextId, messageId, DimseCommand.CFindResponse).ConfigureAwait(false);
            await association.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>C-GET: the matching instances are sent back on this association and passed to <paramref name="store"/>
    /// (its completion is the C-STORE-RSP success; throw <see cref="DicomStorageException"/> for another status).</summary>
    /// <param name="storageSopClasses">The storage classes proposed with the SCP role; default: the SCP's defaults.</param>
    public async Task<RetrieveResult> GetAsync(DicomQuery query, Func<ReceivedInstance, CancellationToken, ValueTask> store,
        IReadOnlyCollection<string>? storageSopClasses = null, IProgress<RetrieveProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var sopClass = QueryRetrieveSopClasses.Get(query.Model);
        var classes = storageSopClasses ?? DicomServerOptions.DefaultSopClasses;
        var contexts = new List<(string, IReadOnlyList<string>)> { (sopClass, Uncompressed) };
        foreach (var storage in classes)
        {
            // One context per class in the uncompressed syntaxes, one for RLE: the SCP picks per instance.
            contexts.Add((storage, [.. Uncompressed, TransferSyntax.DeflatedExplicitVRLittleEndian.Uid]));
            contexts.Add((storage, [TransferSyntax.RLELossless.Uid]));
        }
        var roles = classes.Select(c => new RoleSelection(c, ScuRole: false, ScpRole: true)).ToList();
        var association = await DicomClientAssociation.OpenAsync(_options, contexts, roles, cancellationToken).ConfigureAwait(false);
        return await RetrieveAsync(association, query, sopClass, DimseCommand.CGetRequest, null, store, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>C-MOVE: the SCP sends the matching instances to <paramref name="destinationAE"/> (which it must know).</summary>
    public async Task<RetrieveResult> MoveAsync(DicomQuery query, string destinationAE, IProgress<RetrieveProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(destinationAE) || destinationAE.Trim().Length > 16 || destinationAE.Any(c => c is < ' ' or > '~' or '\\'))
            throw new ArgumentException($"move destination '{destinationAE}' is not a valid AE title (1-16 printable characters, no backslash)", nameof(destinationAE));
        var sopClass = QueryRetrieveSopClasses.Move(query.Model);
        var association = await DicomClientAssociation.OpenAsync(_options, [(sopClass, Uncompressed)], cancellationToken).ConfigureAwait(false);
        return await RetrieveAsync(association, query, sopClass, DimseCommand.CMoveRequest, destinationAE.Trim(), null, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RetrieveResult> RetrieveAsync(DicomClientAssociation association, DicomQuery query, string sopClass, ushort commandField, string? destination,
        Func<ReceivedInstance, CancellationToken, ValueTask>? store, IProgress<RetrieveProgress>? progress, CancellationToken cancellationToken)
    {
        var what = commandField == DimseCommand.CGetRequest ? "C-GET" : "C-MOVE";
        var responseField = (ushort)(commandField | 0x8000);
        var associationId = $"{what.ToLowerInvariant()}-{Interlocked.Increment(ref _retrieves)}";
        var received = new List<string>();
        var finished = false;
        try
        {
            var identifier = query.Build();
            var pc = RequireContext(association, sopClass);
            var syntax = TransferSyntax.Get(pc.AcceptedTransferSyntax!);
            var messageId = association.NextMessageId();
            await association.SendAsync(pc.Id, DimseCommand.QueryRetrieveRequest(commandField, messageId, sopClass, destination),
                DicomDatasetWriter.Encode(identifier, syntax), cancellationToken).ConfigureAwait(false);
            using var grace = new CancellationTokenSource();
            var token = cancellationToken;
            var cancelSent = false;
            while (true)
            {
                DimseMessage message;
                try
                {
                    message = await association.ReceiveAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !cancelSent)
                {
                    // Ask the SCP to stop; sub-operations already under way still arrive and are answered.
                    cancelSent = true;
                    _logger.LogInformation("{What} of message {MessageId} cancelled: sending C-CANCEL", what, messageId);
                    await association.SendAsync(pc.Id, DimseCommand.CancelRequest(messageId), null, CancellationToken.None).ConfigureAwait(false);
                    grace.CancelAfter(CancelGrace);
                    token = grace.Token;
                    continue;
                }
                if (message.CommandField == DimseCommand.CStoreRequest && store is not null)
                {
                    var uid = await StoreSubOperationAsync(association, message, store, associationId, token).ConfigureAwait(false);
                    if (uid is not null)
                        received.Add(uid);
                    continue;
                }
                ExpectResponse(message, responseField, messageId);
                var c = message.Command;
                var counts = new RetrieveProgress(c.GetInt(DicomTags.NumberOfRemainingSuboperations) ?? 0, c.GetInt(DicomTags.NumberOfCompletedSuboperations) ?? 0,
                    c.GetInt(DicomTags.NumberOfFailedSuboperations) ?? 0, c.GetInt(DicomTags.NumberOfWarningSuboperations) ?? 0);
                if (DicomStatus.IsPending(message.Status))
                {
                    progress?.Report(counts);
                    continue;
                }
                finished = true;
                var status = message.Status;
                var failedUids = FailedInstances(message, syntax);
                var result = new RetrieveResult(status, counts.Completed, counts.Failed, counts.Warning, failedUids, received, c.GetString(DicomTags.ErrorComment));
                if (status is DicomStatus.Success or DicomStatus.SubOperationsCompleteWithFailures or DicomStatus.Cancel)
                {
                    await association.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
                    if (cancelSent)
                        throw new OperationCanceledException($"{what} cancelled ({result})", cancellationToken);
                    return result;
                }
                throw Failure(what, message, association.CalledAE, destination);
            }
        }
        finally
        {
            if (!finished)
                await association.AbortAsync().ConfigureAwait(false);
            await association.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A C-STORE sub-operation of a C-GET: stored through the callback and answered on its context.</summary>
    private async Task<string?> StoreSubOperationAsync(DicomClientAssociation association, DimseMessage message, Func<ReceivedInstance, CancellationToken, ValueTask> store,
        string associationId, CancellationToken ct)
    {
        var command = message.Command;
        var messageId = (ushort)(command.GetInt(DicomTags.MessageID) ?? 0);
        var sopClass = command.GetString(DicomTags.AffectedSOPClassUID) ?? "";
        var sopInstance = command.GetString(DicomTags.AffectedSOPInstanceUID) ?? "";
        var pc = association.FindContext(message.PresentationContextId)!;
        (ushort Status, string? Comment) outcome;
        if (sopClass != pc.AbstractSyntax)
        {
            outcome = (DicomStatus.SopClassNotSupported, $"SOP class {sopClass} sent on the context of {pc.AbstractSyntax}");
        }
        else
        {
            // The PACS is the sender here: calling AE as seen by the storage side is the PACS, called AE is ours.
            outcome = await InboundStore.StoreAsync(message, pc, sopClass, sopInstance, parse: true, maxDatasetLength: 1L << 30,
                (data, dataset, syntax) => new ReceivedInstance(sopClass, sopInstance, syntax, data, dataset, association.CalledAE, association.CallingAE,
                    association.RemoteEndPoint, associationId),
                store, _logger, associationId, ct).ConfigureAwait(false);
        }
        if (outcome.Status != DicomStatus.Success)
            _logger.LogWarning("{AssociationId} C-STORE sub-operation of {SopInstanceUid} answered {Status:X4}: {Comment}", associationId, sopInstance, outcome.Status, outcome.Comment);
        await association.SendAsync(message.PresentationContextId, DimseCommand.StoreResponse(messageId, sopClass, sopInstance, outcome.Status, outcome.Comment), null, ct)
            .ConfigureAwait(false);
        return DicomStatus.IsStored(outcome.Status) ? sopInstance : null;
    }

    private static IReadOnlyList<string> FailedInstances(DimseMessage message, TransferSyntax syntax)
    {
        if (message.Dataset is not { } data || data.Length == 0)
            return [];
        try
        {
            return DicomDatasetReader.Read(data, syntax).GetStrings(DicomTags.FailedSOPInstanceUIDList).Where(u => u.Length > 0).ToList();
        }
        catch (DicomFormatException)
        {
            return [];
        }
    }

    /// <summary>After a C-CANCEL the SCP ends the operation with a final response (PS3.4 C.4.1.3.2); anything still
    /// in flight is discarded. When it does not come within <see cref="CancelGrace"/>, the association is aborted.</summary>
    private async Task CancelAsync(DicomClientAssociation association, byte contextId, ushort messageId, ushort responseField)
    {
        if (messageId == 0)
        {
            await association.AbortAsync().ConfigureAwait(false); // nothing was asked yet
            return;
        }
        try
        {
            using var grace = new CancellationTokenSource(CancelGrace);
            _logger.LogInformation("operation of message {MessageId} left early: sending C-CANCEL", messageId);
            await association.SendAsync(contextId, DimseCommand.CancelRequest(messageId), null, grace.Token).ConfigureAwait(false);
            while (true)
            {
                var rsp = await association.ReceiveAsync(grace.Token).ConfigureAwait(false);
                if (rsp.CommandField == responseField && !DicomStatus.IsPending(rsp.Status))
                    break;
            }
            await association.ReleaseAsync(grace.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or TimeoutException or DicomProtocolException or DicomAssociationAbortedException
            or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            _logger.LogInformation("no clean end after C-CANCEL ({Error}); aborting the association", ex.Message);
            await association.AbortAsync().ConfigureAwait(false);
        }
    }

    private static PresentationContext RequireContext(DicomClientAssociation association, string sopClass)
        => association.FindAccepted(sopClass)
            ?? throw new DicomQueryRetrieveException(null, $"{association.CalledAE} does not support {QueryRetrieveSopClasses.Name(sopClass)} (presentation context not accepted)");

    private static void ExpectResponse(DimseMessage message, ushort field, ushort messageId)
    {
        if (message.CommandField != field || message.Command.GetInt(DicomTags.MessageIDBeingRespondedTo) != messageId)
            throw new DicomProtocolException($"expected 0x{field:X4} to message {messageId}, got 0x{message.CommandField:X4}", AbortPdu.ReasonUnexpectedParameter);
    }

    private static DicomQueryRetrieveException Failure(string what, DimseMessage rsp, string peer, string? destination = null)
    {
        var status = rsp.Status;
        var meaning = status switch
        {
            DicomStatus.MoveDestinationUnknown => $"move destination '{destination}' is unknown to {peer}",
            DicomStatus.OutOfResources => "out of resources",
            DicomStatus.UnableToCalculateMatches => "out of resources: unable to calculate the number of matches",
            DicomStatus.UnableToPerformSubOperations => "out of resources: unable to perform sub-operations",
            DicomStatus.SopClassNotSupported => "SOP class not supported",
            DicomStatus.NotAuthorized => "not authorised",
            >= 0xA900 and <= 0xA9FF => "identifier does not match the SOP class",
            >= 0xC000 and <= 0xCFFF => "unable to process",
            _ => "failed",
        };
        var comment = rsp.Command.GetString(DicomTags.ErrorComment);
        var operation = destination is null ? what : $"{what} to '{destination}'";
        return new DicomQueryRetrieveException(status, $"{operation} refused by {peer}: {meaning} (status {status:X4}{(string.IsNullOrWhiteSpace(comment) ? "" : ", " + comment.Trim())})");
    }
}
