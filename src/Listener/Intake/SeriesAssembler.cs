using Microsoft.Extensions.Logging;
using Zsad.Dicom;
using Zsad.Dicom.Network;

namespace Zsad.Listener.Intake;

/// <summary>Groups arriving instances into series and closes each one after <see cref="QuietTime"/> without a new
/// instance, whatever the associations: a series sent in several associations is one series. Only the open set is
/// in memory; the store is the truth, so <see cref="Resume"/> rebuilds it after a restart.</summary>
public sealed class SeriesAssembler
{
    private readonly IntakeStore _store;
    private readonly SeriesProcessor _processor;
    private readonly LateInstancePolicy _latePolicy;
    private readonly ILogger<SeriesAssembler> _logger;
    private readonly TimeProvider _time;
    private readonly Action<string, TimeSpan>? _observeStage;
    private readonly Lock _gate = new();
    private readonly Dictionary<SeriesKey, OpenSeries> _open = [];

    public SeriesAssembler(IntakeStore store, SeriesProcessor processor, TimeSpan quietTime, LateInstancePolicy latePolicy,
        ILogger<SeriesAssembler> logger, TimeProvider? time = null, Action<string, TimeSpan>? observeStage = null)
    {
        _observeStage = observeStage;
        _store = store;
        _processor = processor;
        QuietTime = quietTime;
        _latePolicy = latePolicy;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    public TimeSpan QuietTime { get; }

    /// <summary>Last instance received to series closed: the quiet time plus the wait for the next check.</summary>
    public const string CloseStage = "series_close";

    /// <summary>Series closed to its volume in the blob store and its VolumeReady in the outbox.</summary>
    public const string BuildStage = "volume_build";

    public int OpenSeriesCount
    {
        get
        {
            lock (_gate)
                return _open.Count;
        }
    }

    /// <summary>The SCP's storage callback: returns (and so lets the SCP answer success) only after the instance is on disk.</summary>
    public async ValueTask OnInstanceAsync(ReceivedInstance instance, CancellationToken cancellationToken)
    {
        var dataset = instance.Dataset
            ?? throw new DicomStorageException(DicomStatus.CannotUnderstand, "the dataset could not be parsed");
        var study = dataset.GetString(DicomTags.StudyInstanceUID);
        var series = dataset.GetString(DicomTags.SeriesInstanceUID);
        // The series UID names a folder: only a valid UID (digits and dots) may do that.
        if (study is null || !DicomUid.IsValid(study) || series is null || !DicomUid.IsValid(series))
            throw new DicomStorageException(DicomStatus.CannotUnderstand, "StudyInstanceUID or SeriesInstanceUID is missing or not a valid UID");
        var key = new SeriesKey(instance.CalledAE.Trim(), study, series);
        var isNew = await _store.StoreAsync(key, instance, cancellationToken).ConfigureAwait(false);
        if (!isNew)
            _logger.LogDebug("instance {SopInstanceUid} of series {SeriesInstanceUid} was already stored", instance.SopInstanceUid, series);
        Track(key, isNew);
    }

    private void Track(SeriesKey key, bool isNew)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(key, out var open))
            {
                if (!isNew)
                    return; // a resend of an instance of a closed series changes nothing
                var directory = _store.DirectoryOf(key);
                var outcomes = _store.Outcomes(directory);
                if (outcomes.Count > 0 && _latePolicy == LateInstancePolicy.Keep)
                {
                    _logger.LogWarning("late instance of series {SeriesInstanceUid} (closed after generation {Generation}) is kept but the series is not processed again",
                        key.SeriesInstanceUid, outcomes[^1].Generation);
                    return;
                }
                open = new OpenSeries(key, directory, outcomes.Count + 1);
                _open.Add(key, open);
                _logger.LogInformation("series {SeriesInstanceUid} opened (generation {Generation}, called AE {CalledAETitle})",
                    key.SeriesInstanceUid, open.Generation, key.CalledAETitle);
            }
            open.LastArrival = _time.GetTimestamp();
            if (isNew && open.Closing)
                open.ArrivedWhileClosing = true;
        }
    }

    /// <summary>Whether the series has instances not yet processed (it is waiting for its close).</summary>
    public bool IsOpen(SeriesKey key)
    {
        lock (_gate)
            return _open.ContainsKey(key);
    }

    /// <summary>Closes an open series at the next check instead of after its quiet time: its sender said it is complete
    /// (the final response of the C-GET or C-MOVE that brought it). False when the series is not open.</summary>
    public bool CloseSoon(SeriesKey key)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(key, out var open))
                return false;
            open.Complete = true;
            return true;
        }
    }

    /// <summary>Reopens what the store holds but has not processed (or, with <see cref="LateInstancePolicy.Reprocess"/>,
    /// holds more instances than the last outcome covered). Their quiet time restarts now: a sender interrupted by the
    /// restart may still be sending.</summary>
    public int Resume()
    {
        var resumed = 0;
        foreach (var stored in _store.Scan())
        {
            var last = stored.Outcomes.Count > 0 ? stored.Outcomes[^1] : null;
            var pending = stored.InstanceCount > 0 && (last is null
                || (_latePolicy == LateInstancePolicy.Reprocess && stored.InstanceCount > last.InstanceCount));
            if (!pending)
                continue;
            lock (_gate)
            {
                if (_open.ContainsKey(stored.Key))
                    continue;
                _open.Add(stored.Key, new OpenSeries(stored.Key, stored.Directory, stored.Outcomes.Count + 1) { LastArrival = _time.GetTimestamp() });
            }
            resumed++;
            _logger.LogInformation("series {SeriesInstanceUid} resumed from the intake store ({InstanceCount} instances, generation {Generation})",
                stored.Key.SeriesInstanceUid, stored.InstanceCount, stored.Outcomes.Count + 1);
        }
        return resumed;
    }

    /// <summary>Closes quiet series one at a time until cancelled. Processing runs here, off the SCP's tasks, so a
    /// slow volume never delays a C-STORE response.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(QuietTime.TotalMilliseconds / 5, 20, 500));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(tick, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            foreach (var open in TakeDue())
            {
                if (!await CloseAsync(open, cancellationToken).ConfigureAwait(false))
                    return;
            }
        }
    }

    private List<OpenSeries> TakeDue()
    {
        lock (_gate)
        {
            var due = new List<OpenSeries>();
            foreach (var open in _open.Values)
            {
                if (!open.Closing && (open.Complete || _time.GetElapsedTime(open.LastArrival) >= QuietTime))
                {
                    open.Closing = true;
                    due.Add(open);
                }
            }
            return due;
        }
    }

    /// <returns>False when cancelled mid-way: the series stays unprocessed on disk and resumes at the next start.</returns>
    private async Task<bool> CloseAsync(OpenSeries open, CancellationToken cancellationToken)
    {
        SeriesOutcome outcome;
        try
        {
            _logger.LogInformation("series {SeriesInstanceUid} closed after {QuietTime} quiet; processing generation {Generation}",
                open.Key.SeriesInstanceUid, QuietTime, open.Generation);
            long lastArrival;
            lock (_gate)
                lastArrival = open.LastArrival;
            _observeStage?.Invoke(CloseStage, _time.GetElapsedTime(lastArrival));
            var started = _time.GetTimestamp();
            outcome = await _processor.ProcessAsync(open.Key, open.Directory, open.Generation, cancellationToken).ConfigureAwait(false);
            _observeStage?.Invoke(BuildStage, _time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex)
        {
            // Disk or blob-store trouble: record it so the series is not retried forever; the instances stay for replay.
            _logger.LogError(ex, "series {SeriesInstanceUid} could not be processed", open.Key.SeriesInstanceUid);
            outcome = new SeriesOutcome(open.Generation, SeriesOutcomeStatus.Failed, ex.Message, _store.InstancePaths(open.Directory).Count, null, DateTimeOffset.UtcNow);
        }
        try
        {
            _store.RecordOutcome(open.Directory, outcome);
        }
        catch (IOException ex)
        {
            // e.g. the disk is full: without its outcome the series would be lost to this run (and an escaping
            // exception would end the loop for every series), so it stays open and closes again after a quiet time.
            // A volume already published is published again under the same deterministic id, which the outbox drops.
            _logger.LogError("outcome of series {SeriesInstanceUid} could not be recorded ({Error}); retrying after {QuietTime}",
                open.Key.SeriesInstanceUid, ex.Message, QuietTime);
            lock (_gate)
            {
                open.Closing = false;
                open.LastArrival = _time.GetTimestamp();
            }
            return true;
        }
        lock (_gate)
        {
            if (open.ArrivedWhileClosing && _latePolicy == LateInstancePolicy.Reprocess)
            {
                open.Generation++;
                open.Closing = false;
                open.Complete = false;
                open.ArrivedWhileClosing = false;
            }
            else
            {
                if (open.ArrivedWhileClosing)
                    _logger.LogWarning("instances of series {SeriesInstanceUid} arrived while it was being processed; they are kept but the series is not processed again",
                        open.Key.SeriesInstanceUid);
                _open.Remove(open.Key);
            }
        }
        return true;
    }

    private sealed class OpenSeries(SeriesKey key, string directory, int generation)
    {
        public SeriesKey Key { get; } = key;
        public string Directory { get; } = directory;
        public int Generation { get; set; } = generation;
        public long LastArrival { get; set; }
        public bool Closing { get; set; }
        public bool ArrivedWhileClosing { get; set; }
        public bool Complete { get; set; }
    }
}
