using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zsad.Dicom.Network;

/// <summary>A C-ECHO and C-STORE SCU. Stores many instances over one association, proposing contexts from the
/// instances themselves; re-associates with exponential backoff when the connection or association fails.</summary>
public sealed class DicomClient
{
    private static readonly string[] UncompressedFallback = [TransferSyntax.ExplicitVRLittleEndian.Uid, TransferSyntax.ImplicitVRLittleEndian.Uid];

    private readonly DicomClientOptions _options;
    private readonly ILogger _logger;

    public DicomClient(DicomClientOptions options)
    {
        options.Validate();
        _options = options;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DicomClient>();
    }

    /// <summary>C-ECHO; returns the response status.</summary>
    public async Task<ushort> EchoAsync(CancellationToken cancellationToken = default)
    {
        await using var association = await OpenWithRetryAsync([(DicomUid.Verification, UncompressedFallback)], cancellationToken).ConfigureAwait(false);
        var status = await association.EchoAsync(cancellationToken).ConfigureAwait(false);
        await association.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        return status;
    }

    /// <summary>Sends files (folders are walked recursively); one result per file, in input order.</summary>
    public Task<IReadOnlyList<StoreResult>> StoreFilesAsync(IEnumerable<string> paths, IProgress<StoreResult>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new List<StoreResult?>();
        var instances = new List<OutgoingInstance?>();
        foreach (var path in ExpandPaths(paths))
        {
            try
            {
                instances.Add(OutgoingInstance.FromPath(path));
                results.Add(null);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DicomFormatException or InvalidOperationException or KeyNotFoundException)
            {
                var failed = new StoreResult(path, null, null, "cannot read: " + ex.Message);
                progress?.Report(failed);
                instances.Add(null);
                results.Add(failed);
            }
        }
        return StoreCoreAsync(instances, results, progress, cancellationToken);
    }

    public Task<IReadOnlyList<StoreResult>> StoreAsync(IEnumerable<DicomFile> files, IProgress<StoreResult>? progress = null, CancellationToken cancellationToken = default)
    {
        var instances = files.Select(f => (OutgoingInstance?)OutgoingInstance.FromFile(f)).ToList();
        return StoreCoreAsync(instances, instances.Select(_ => (StoreResult?)null).ToList(), progress, cancellationToken);
    }

    public static IEnumerable<string> ExpandPaths(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).Order(StringComparer.Ordinal))
                    yield return file;
            }
            else
            {
                yield return path;
            }
        }
    }

    private async Task<IReadOnlyList<StoreResult>> StoreCoreAsync(List<OutgoingInstance?> instances, List<StoreResult?> results, IProgress<StoreResult>? progress, CancellationToken ct)
    {
        var pending = new Queue<int>(Enumerable.Range(0, instances.Count).Where(i => instances[i] is not null));
        var retries = 0;
        while (pending.Count > 0)
        {
            var batch = TakeBatch(pending, instances, out var contexts);
            DicomClientAssociation association;
            try
            {
                association = await OpenWithRetryAsync(contexts, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsAssociationFailure(ex))
            {
                // No association after every retry: nothing left can be sent either.
                foreach (var i in batch.Concat(pending))
                    Complete(i, new StoreResult(instances[i]!.Source, instances[i]!.SopInstanceUid, null, "no association: " + ex.Message));
                break;
            }
            try
            {
                await using (association.ConfigureAwait(false))
                {
                    foreach (var i in batch)
                    {
                        if (results[i] is not null)
                            continue;
                        Complete(i, await SendAsync(association, instances[i]!, ct).ConfigureAwait(false));
                    }
                    await association.ReleaseAsync(ct).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (IsAssociationFailure(ex))
            {
                if (++retries > _options.MaxRetries)
                {
                    foreach (var i in batch.Concat(pending))
                        if (results[i] is null)
                            Complete(i, new StoreResult(instances[i]!.Source, instances[i]!.SopInstanceUid, null, "association failed: " + ex.Message));
                    break;
                }
                var delay = Backoff(retries);
                _logger.LogWarning("association to {Host}:{Port} failed ({Error}); retry {Retry}/{MaxRetries} in {Delay} ms",
                    _options.Host, _options.Port, ex.Message, retries, _options.MaxRetries, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, ct).ConfigureAwait(false);
                // the instance in flight is resent: storage is idempotent by SOP Instance UID
                var remaining = batch.Where(i => results[i] is null).Concat(pending).ToList();
                pending = new Queue<int>(remaining);
            }
        }
        return results.Select((r, i) => r ?? new StoreResult(instances[i]?.Source ?? "?", instances[i]?.SopInstanceUid, null, "not sent")).ToList();

        void Complete(int i, StoreResult result)
        {
            results[i] = result;
            instances[i]?.Release();
            progress?.Report(result);
        }
    }

    /// <summary>Takes instances while their contexts fit in one A-ASSOCIATE-RQ: per SOP class one context per
    /// transfer syntax the files are in, plus an Explicit/Implicit LE context to transcode into when needed.</summary>
    private static List<int> TakeBatch(Queue<int> pending, List<OutgoingInstance?> instances, out List<(string, IReadOnlyList<string>)> contexts)
    {
        var batch = new List<int>();
        var keys = new HashSet<(string, string)>();
        contexts = new List<(string, IReadOnlyList<string>)>();
        while (pending.Count > 0)
        {
            var inst = instances[pending.Peek()]!;
            var needed = new List<(string, IReadOnlyList<string>)>();
            if (!keys.Contains((inst.SopClassUid, inst.Syntax.Uid)))
                needed.Add((inst.SopClassUid, [inst.Syntax.Uid]));
            if (!keys.Contains((inst.SopClassUid, "fallback")))
                needed.Add((inst.SopClassUid, UncompressedFallback));
            if (contexts.Count + needed.Count > AssociationParameters.MaxPresentationContexts)
                break;
            foreach (var c in needed)
            {
                contexts.Add(c);
                keys.Add((c.Item1, c.Item2.Count == 1 ? c.Item2[0] : "fallback"));
            }
            batch.Add(pending.Dequeue());
        }
        return batch;
    }

    private async Task<StoreResult> SendAsync(DicomClientAssociation association, OutgoingInstance inst, CancellationToken ct)
    {
        var pc = association.FindAccepted(inst.SopClassUid, inst.Syntax.Uid);
        if (pc is null && inst.Syntax.CanDecodePixels)
            pc = association.FindAccepted(inst.SopClassUid, TransferSyntax.ExplicitVRLittleEndian.Uid)
                ?? association.FindAccepted(inst.SopClassUid, TransferSyntax.ImplicitVRLittleEndian.Uid);
        if (pc is null)
            return new StoreResult(inst.Source, inst.SopInstanceUid, null,
                $"the SCP accepted no presentation context for {DicomUid.NameOf(inst.SopClassUid) ?? inst.SopClassUid} in {inst.Syntax.Name} or one it can be converted to");
        ReadOnlyMemory<byte> dataset;
        try
        {
            dataset = inst.GetDataset(TransferSyntax.Get(pc.AcceptedTransferSyntax!));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DicomFormatException or InvalidOperationException or NotSupportedException)
        {
            return new StoreResult(inst.Source, inst.SopInstanceUid, null, "cannot read or convert: " + ex.Message);
        }
        var messageId = association.NextMessageId();
        var rsp = await association.RequestAsync(pc.Id, DimseCommand.StoreRequest(messageId, inst.SopClassUid, inst.SopInstanceUid), dataset, ct).ConfigureAwait(false);
        if (rsp.CommandField != DimseCommand.CStoreResponse || rsp.Command.GetInt(DicomTags.MessageIDBeingRespondedTo) != messageId)
            throw new DicomProtocolException($"expected C-STORE-RSP to message {messageId}, got 0x{rsp.CommandField:X4}", AbortPdu.ReasonUnexpectedParameter);
        var status = rsp.Status;
        return new StoreResult(inst.Source, inst.SopInstanceUid, status, DicomStatus.IsStored(status) ? null : rsp.Command.GetString(DicomTags.ErrorComment) ?? $"status {status:X4}");
    }

    private async Task<DicomClientAssociation> OpenWithRetryAsync(IEnumerable<(string, IReadOnlyList<string>)> contexts, CancellationToken ct)
    {
        var list = contexts.ToList();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await DicomClientAssociation.OpenAsync(_options, list, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < _options.MaxRetries && IsAssociationFailure(ex) && ex is not DicomAssociationRejectedException { Reject.IsTransient: false })
            {
                var delay = Backoff(attempt + 1);
                _logger.LogWarning("cannot associate with {Host}:{Port} ({Error}); retry {Retry}/{MaxRetries} in {Delay} ms",
                    _options.Host, _options.Port, ex.Message, attempt + 1, _options.MaxRetries, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan Backoff(int retry) => _options.RetryDelay * Math.Pow(2, Math.Min(retry - 1, 6));

    private static bool IsAssociationFailure(Exception ex)
        => ex is IOException or SocketException or TimeoutException or DicomProtocolException or DicomAssociationRejectedException
            or System.Security.Authentication.AuthenticationException or ObjectDisposedException;
}
