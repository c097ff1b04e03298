using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zsad.Dicom.Network;

namespace Zsad.Reporter.Export;

/// <summary>Sends outputs to C-STORE destinations: per destination one association for the whole batch (the
/// client opens another only when a presentation-context limit or a broken association forces it), re-association
/// with exponential backoff, and a dead letter for whatever is still undelivered. Files must already be on local
/// disk: nothing here is the only copy of anything.</summary>
public sealed class DicomExporter(DeadLetterQueue deadLetters, ExportOptions? options = null)
{
    private readonly ExportOptions _options = options ?? new ExportOptions();
    private readonly ILogger _logger = (options?.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DicomExporter>();

    public DeadLetterQueue DeadLetters { get; } = deadLetters;

    public async Task<IReadOnlyList<ExportOutcome>> ExportAsync(IReadOnlyList<string> files, IReadOnlyList<ExportDestination> destinations,
        CancellationToken cancellationToken = default)
    {
        foreach (var f in files)
            if (!File.Exists(f))
                throw new FileNotFoundException($"export: {f} does not exist", f);
        var outcomes = new List<ExportOutcome>();
        foreach (var destination in destinations)
        {
            var (stored, failed, error) = await DeliverAsync(destination, files, cancellationToken).ConfigureAwait(false);
            string? record = null;
            if (failed.Count > 0)
            {
                record = DeadLetters.Add(destination, failed, error!, attempts: 1);
                _logger.LogError("export to {Destination}: {Failed} of {Count} files undelivered ({Error}); dead letter {Record}",
                    destination.ToString(), failed.Count, files.Count, error, record);
            }
            outcomes.Add(new ExportOutcome(destination, stored, failed.Count, error, record));
        }
        return outcomes;
    }

    /// <summary>Replays every dead letter: a record delivered in full is removed; otherwise it keeps only the files
    /// still undelivered, with one more attempt and the new error.</summary>
    public async Task<IReadOnlyList<ExportOutcome>> RetryDeadLettersAsync(CancellationToken cancellationToken = default)
    {
        var outcomes = new List<ExportOutcome>();
        foreach (var (path, record) in DeadLetters.List())
        {
            var (stored, failed, error) = await DeliverAsync(record.Destination, record.Files, cancellationToken).ConfigureAwait(false);
            if (failed.Count == 0)
            {
                DeadLetterQueue.Remove(path);
                _logger.LogInformation("dead letter {Record} delivered to {Destination} ({Stored} files)", path, record.Destination.ToString(), stored);
                outcomes.Add(new ExportOutcome(record.Destination, stored, 0, null, null));
                continue;
            }
            DeadLetterQueue.Save(path, record with { Files = failed, LastError = error!, Attempts = record.Attempts + 1, Time = DateTimeOffset.UtcNow });
            _logger.LogError("dead letter {Record} to {Destination}: {Failed} files still undelivered after attempt {Attempt} ({Error})",
                path, record.Destination.ToString(), failed.Count, record.Attempts + 1, error);
            outcomes.Add(new ExportOutcome(record.Destination, stored, failed.Count, error, path));
        }
        return outcomes;
    }

    private async Task<(int Stored, List<string> Failed, string? Error)> DeliverAsync(ExportDestination destination, IReadOnlyList<string> files,
        CancellationToken cancellationToken)
    {
        var client = new DicomClient(new DicomClientOptions
        {
            Host = destination.Host,
            Port = destination.Port,
            CalledAE = destination.CalledAE,
            CallingAE = destination.CallingAE,
            MaxRetries = _options.MaxRetries,
            RetryDelay = _options.RetryDelay,
            ConnectTimeout = _options.ConnectTimeout,
            LoggerFactory = _options.LoggerFactory,
        });
        IReadOnlyList<StoreResult> results;
        try
        {
            results = await client.StoreFilesAsync(files, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return (0, files.ToList(), ex.GetType().Name + ": " + ex.Message);
        }
        var failed = new List<string>();
        string? error = null;
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].IsStored)
                continue;
            failed.Add(files[i]);
            error = results[i].Error ?? $"status {results[i].Status:X4}";
        }
        return (results.Count - failed.Count, failed, error);
    }
}
