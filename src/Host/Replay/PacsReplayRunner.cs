using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.Logging;
using Zsad.Contracts;
using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Dicom.Network.QueryRetrieve;
using Zsad.Host.Configuration;
using Zsad.Host.Pipeline;
using Zsad.Listener.Intake;
using Zsad.Listener.Outbox;
using Zsad.Reporter.Export;

namespace Zsad.Host.Replay;

/// <summary>`zsad replay --pacs`: C-FIND the series a research question names, pull them one at a time (C-GET into
/// this process's listener intake, or C-MOVE to its listener), and let the live pipeline do the rest: series assembly
/// -> VolumeReady -> inference -> SEG, summary SR and metrics, exactly as for a scanner's series. A series closes when
/// its retrieve has ended (not after a quiet time), so a retrieve that breaks off never yields a half volume; it is
/// retried, and the intake store keeps each SOP instance once, so nothing is reported twice. The manifest
/// (<see cref="ReplayManifest"/>) records every series; --resume passes over the finished ones.</summary>
public static class PacsReplayRunner
{
    /// <summary>Retrieved series close on the retrieve's end, never on a quiet time (a day is "never" for a replay).</summary>
    private const double NeverQuietSeconds = 86_400;

    public static async Task<ReplaySummary> RunAsync(PacsReplayOptions replay, ILoggerFactory loggers, TextWriter progress, CancellationToken cancellationToken = default)
    {
        replay.Validate();
        var logger = loggers.CreateLogger(typeof(PacsReplayRunner));
        var output = Path.GetFullPath(replay.Output);
        var pacs = ExportDestination.Parse(replay.Pacs);
        var manifest = ReplayManifest.Load(output);
        if (manifest is not null && !replay.Resume)
            throw new ArgumentException($"{output} holds the manifest of an earlier replay: add --resume to continue it, or choose another --out");
        if (manifest is not null && manifest.Pacs != pacs.ToString())
            throw new ArgumentException($"--resume: the replay in {output} pulled from {manifest.Pacs}, not {pacs}");
        Directory.CreateDirectory(output);

        var listenerAE = (replay.MoveTo ?? replay.CallingAE).Trim();
        var options = new ZsadOptions
        {
            DataDirectory = Path.Combine(output, ".zsad"),
            Role = "all",
            RabbitMq = null,
            Listener = new ZsadOptions.ListenerSettings
            {
                // C-GET brings instances on our own association: the listener's port is then only a free one.
                Port = replay.MoveTo is null ? 0 : replay.ListenerPort,
                AETitle = listenerAE,
                QuietSeconds = NeverQuietSeconds,
                Modality = replay.Modality ?? "MR",
            },
            Inference = new ZsadOptions.InferenceSettings { Detector = replay.Detector, Normals = replay.Normals, AllowUncalibrated = replay.AllowUncalibrated },
            Reporter = new ZsadOptions.ReporterSettings
            {
                OutputDirectory = output, Threshold = replay.Threshold, Destination = replay.Destination, CallingAETitle = replay.CallingAE.Trim(),
            },
            Http = new ZsadOptions.HttpSettings { Enabled = false },
        };
        await using var service = new ZsadService(options, loggers);
        var reported = new ConcurrentDictionary<string, ReportOutcome>(StringComparer.Ordinal);
        var faulted = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        service.Reported += o => reported[o.VolumeId] = o;
        service.Faulted += (id, error) => faulted[id] = error;
        await service.StartAsync(cancellationToken).ConfigureAwait(false);
        var detector = (await service.InferenceReady.ConfigureAwait(false)).DetectorName;
        var listener = service.Listener!;

        var qr = new QueryRetrieveClient(new DicomClientOptions
        {
            Host = pacs.Host, Port = pacs.Port, CalledAE = pacs.CalledAE, CallingAE = replay.CallingAE.Trim(), MaxRetries = 0, LoggerFactory = loggers,
        });
        var found = await FindSeriesAsync(qr, replay, cancellationToken).ConfigureAwait(false);
        manifest ??= new ReplayManifest
        {
            Pacs = pacs.ToString(),
            Retrieve = replay.MoveTo is null ? "C-GET" : $"C-MOVE to {replay.MoveTo}",
            Detector = detector,
            Query = Describe(replay),
            StartedAt = DateTimeOffset.UtcNow,
        };
        manifest.Runs++;
        var known = manifest.Series.Select(s => s.SeriesInstanceUid).ToHashSet(StringComparer.Ordinal);
        manifest.Series.AddRange(found.Where(s => known.Add(s.SeriesInstanceUid)));
        manifest.Save(output);

        var finishedBefore = manifest.Series.Count(s => s.IsFinished);
        var todo = manifest.Series.Where(s => !s.IsFinished).ToList();
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay from {pacs} ({manifest.Retrieve}): {manifest.Series.Count} series, {finishedBefore} finished before, {todo.Count} to pull"));
        var bar = new EtaProgress(progress, manifest.Series.Count, finishedBefore, todo.Count);

        var run = new Run(replay, service, listener, qr, manifest, output, detector, listenerAE, reported, faulted, bar, logger);
        using var slots = new SemaphoreSlim(replay.MaxPending);
        var working = new List<Task>();
        foreach (var series in todo)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            Task work;
            try
            {
                work = await run.PullAsync(series, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                slots.Release();
                throw;
            }
            working.Add(work.ContinueWith(_ => slots.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
        }
        await Task.WhenAll(working).ConfigureAwait(false);
        manifest.Save(output);

        var failures = manifest.Series.Where(s => !s.IsFinished).Select(s => $"{s.SeriesInstanceUid}: {s.State.ToString().ToLowerInvariant()}: {s.Error}").ToList();
        return new ReplaySummary(manifest.Series.Count, bar.Processed, finishedBefore, failures, ReplayManifest.PathIn(output));
    }

    /// <summary>The series to replay: per study (given, or found by date), its series of the modality, then the
    /// description filter (a regular expression, so applied here rather than by the PACS).</summary>
    private static async Task<List<ReplaySeries>> FindSeriesAsync(QueryRetrieveClient qr, PacsReplayOptions replay, CancellationToken ct)
    {
        var studies = replay.Studies.ToList();
        if (studies.Count == 0)
        {
            var query = DicomQuery.Studies().MatchDateRange(DicomTags.StudyDate, replay.Since, replay.Until);
            await foreach (var study in qr.FindAsync(query, ct).ConfigureAwait(false))
                if (study.GetString(DicomTags.StudyInstanceUID) is { Length: > 0 } uid)
                    studies.Add(uid);
        }
        var description = replay.Description is { } d ? new Regex(d) : null;
        var series = new List<ReplaySeries>();
        foreach (var study in studies.Distinct(StringComparer.Ordinal))
        {
            var query = DicomQuery.Series(study);
            if (replay.Modality is { } modality)
                query.Match(DicomTags.Modality, modality);
            await foreach (var match in qr.FindAsync(query, ct).ConfigureAwait(false))
            {
                var uid = match.GetString(DicomTags.SeriesInstanceUID);
                if (string.IsNullOrEmpty(uid) || !DicomUid.IsValid(uid))
                    continue;
                var text = match.GetString(DicomTags.SeriesDescription) ?? "";
                if (description is not null && !description.IsMatch(text))
                    continue;
                series.Add(new ReplaySeries
                {
                    StudyInstanceUid = study,
                    SeriesInstanceUid = uid,
                    Modality = match.GetString(DicomTags.Modality),
                    Description = text,
                    ExpectedInstances = match.GetInt(DicomTags.NumberOfSeriesRelatedInstances),
                });
            }
        }
        return series;
    }

    private static string Describe(PacsReplayOptions r)
        => string.Join(' ', new[]
        {
            r.Studies.Count > 0 ? "study " + string.Join(',', r.Studies) : null,
            r.Modality is { } m ? "modality " + m : null,
            r.Since is { } s ? "since " + s.ToString("yyyyMMdd", CultureInfo.InvariantCulture) : null,
            r.Until is { } u ? "until " + u.ToString("yyyyMMdd", CultureInfo.InvariantCulture) : null,
            r.Description is { } d ? "description /" + d + "/" : null,
        }.Where(p => p is not null)) is { Length: > 0 } text ? text : "every study";

    private static bool IsNetworkFailure(Exception ex)
        => ex is IOException or SocketException or TimeoutException or DicomProtocolException or DicomAssociationAbortedException or ObjectDisposedException
            or DicomAssociationRejectedException { Reject.IsTransient: true };

    /// <summary>One replay's moving parts, shared by the series it pulls.</summary>
    private sealed class Run(PacsReplayOptions replay, ZsadService service, Zsad.Listener.ListenerService listener, QueryRetrieveClient qr, ReplayManifest manifest,
        string output, string detector, string listenerAE, ConcurrentDictionary<string, ReportOutcome> reported, ConcurrentDictionary<string, string> faulted,
        EtaProgress bar, ILogger logger)
    {
        /// <summary>Retrieves one series (in the caller's flow: one at a time) and returns the wait for its report.</summary>
        public async Task<Task> PullAsync(ReplaySeries series, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            var key = new SeriesKey(listenerAE, series.StudyInstanceUid, series.SeriesInstanceUid);
            var directory = listener.Store.DirectoryOf(key);
            var before = listener.Store.Outcomes(directory);
            if (before.Count > 0 && !listener.Assembler.IsOpen(key) && before[^1] is var last)
            {
                // Closed in an earlier run (then interrupted): its outcome stands; a published volume is only awaited.
                return Task.Run(() => AwaitOutcomeAsync(series, last, watch, ct), CancellationToken.None);
            }

            Update(series, s => s.State = ReplaySeriesState.Retrieving);
            RetrieveResult result;
            try
            {
                result = await RetrieveWithRetriesAsync(series, ct).ConfigureAwait(false);
            }
            catch (DicomQueryRetrieveException ex) when (ex.Status != DicomStatus.MoveDestinationUnknown)
            {
                Finish(series, ReplaySeriesState.Failed, ex.Message, watch);
                return Task.CompletedTask;
            }
            catch (Exception ex) when (IsNetworkFailure(ex))
            {
                Finish(series, ReplaySeriesState.Failed, $"retrieve failed {series.Attempts} time(s): {ex.Message}", watch);
                return Task.CompletedTask;
            }
            var stored = listener.Store.InstancePaths(directory).Count;
            Update(series, s => s.Instances = stored);
            if (result.IsPartial || result.Failed > 0)
            {
                Update(series, s => s.FailedInstances = [.. result.FailedSopInstanceUids]);
                Finish(series, ReplaySeriesState.Partial,
                    $"partial retrieve (status {result.Status:X4}): {result.Failed} of {result.Completed + result.Failed + result.Warning} failed"
                    + (result.FailedSopInstanceUids.Count > 0 ? ": " + string.Join(", ", result.FailedSopInstanceUids) : ""), watch);
                return Task.CompletedTask;
            }
            if (stored == 0)
            {
                Finish(series, ReplaySeriesState.Failed, $"the retrieve ended ({result}) but no instance of the series arrived", watch);
                return Task.CompletedTask;
            }
            if (!listener.Assembler.CloseSoon(key))
            {
                // Every instance was here already and its series closed before: its outcome stands.
                var outcomes = listener.Store.Outcomes(directory);
                if (outcomes.Count == 0)
                {
                    Finish(series, ReplaySeriesState.Failed, "retrieved, but the listener holds no open series for it", watch);
                    return Task.CompletedTask;
                }
                return Task.Run(() => AwaitOutcomeAsync(series, outcomes[^1], watch, ct), CancellationToken.None);
            }
            Update(series, s => s.State = ReplaySeriesState.Processing);
            return Task.Run(async () =>
            {
                var deadline = DateTime.UtcNow + replay.SeriesTimeout;
                while (listener.Store.Outcomes(directory).Count <= before.Count)
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        Finish(series, ReplaySeriesState.Failed, $"the series did not close within {replay.SeriesTimeout.TotalMinutes:0} min", watch);
                        return;
                    }
                    await Task.Delay(100, ct).ConfigureAwait(false);
                }
                await AwaitOutcomeAsync(series, listener.Store.Outcomes(directory)[^1], watch, ct).ConfigureAwait(false);
            }, CancellationToken.None);
        }

        private async Task<RetrieveResult> RetrieveWithRetriesAsync(ReplaySeries series, CancellationToken ct)
        {
            var query = DicomQuery.RetrieveSeries(series.StudyInstanceUid, series.SeriesInstanceUid);
            for (var attempt = 0; ; attempt++)
            {
                Update(series, s => s.Attempts++);
                try
                {
                    return replay.MoveTo is null
                        ? await qr.GetAsync(query, listener.Assembler.OnInstanceAsync, cancellationToken: ct).ConfigureAwait(false)
                        : await qr.MoveAsync(query, replay.MoveTo, cancellationToken: ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (attempt < replay.RetrieveRetries && IsNetworkFailure(ex))
                {
                    // Instances stored so far stay in the intake store; the retry brings the rest (duplicates are dropped).
                    var delay = replay.RetryDelay * Math.Pow(2, attempt);
                    logger.LogWarning("retrieve of series {SeriesInstanceUid} broke off ({Error}); retry {Retry}/{Retries} in {Delay} ms",
                        series.SeriesInstanceUid, ex.Message, attempt + 1, replay.RetrieveRetries, (int)delay.TotalMilliseconds);
                    bar.Note($"{series.SeriesInstanceUid}: retrieve broke off ({ex.Message}); retry {attempt + 1}/{replay.RetrieveRetries}");
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                }
            }
        }

        /// <summary>From the listener's outcome of the series to its report (or why there is none).</summary>
        private async Task AwaitOutcomeAsync(ReplaySeries series, SeriesOutcome outcome, Stopwatch watch, CancellationToken ct)
        {
            switch (outcome.Status)
            {
                case SeriesOutcomeStatus.Filtered:
                    Finish(series, ReplaySeriesState.Filtered, outcome.Reason, watch);
                    return;
                case SeriesOutcomeStatus.Published when outcome.VolumeId is { } volumeId:
                    Update(series, s => { s.VolumeId = volumeId; s.Instances = outcome.InstanceCount; s.State = ReplaySeriesState.Processing; });
                    var resultPath = service.Reporter!.ResultPathFor(ReportWorker.CaseName(null, series.SeriesInstanceUid, volumeId, outcome.Generation), detector);
                    if (!File.Exists(resultPath))
                        await RepublishIfLostAsync(volumeId, ct).ConfigureAwait(false);
                    var deadline = DateTime.UtcNow + replay.SeriesTimeout;
                    while (true)
                    {
                        if (reported.TryGetValue(volumeId, out var report) || File.Exists(resultPath))
                        {
                            Update(series, s => { s.Result = resultPath; s.Dice = report?.Dice; });
                            Finish(series, ReplaySeriesState.Done, null, watch);
                            return;
                        }
                        if (faulted.TryGetValue(volumeId, out var error))
                        {
                            Finish(series, ReplaySeriesState.Failed, error, watch);
                            return;
                        }
                        if (DateTime.UtcNow > deadline)
                        {
                            Finish(series, ReplaySeriesState.Failed, $"no report within {replay.SeriesTimeout.TotalMinutes:0} min", watch);
                            return;
                        }
                        await Task.Delay(100, ct).ConfigureAwait(false);
                    }
                default:
                    Finish(series, ReplaySeriesState.Failed, outcome.Reason ?? "the series could not become a volume", watch);
                    return;
            }
        }

        /// <summary>A VolumeReady sent by an earlier, interrupted run went down with its in-memory bus: send it again.</summary>
        private async Task RepublishIfLostAsync(string volumeId, CancellationToken ct)
        {
            var messageId = VolumeIds.MessageIdFor(volumeId);
            if (listener.Outbox.Pending().Any(e => e.MessageId == messageId))
                return; // the dispatcher sends it
            var sent = listener.Outbox.Sent().FirstOrDefault(e => e.MessageId == messageId);
            if (sent is null || reported.ContainsKey(volumeId))
                return;
            if (FileOutbox.Materialize(sent).Message is VolumeReady message)
                await service.Bus!.Publish(message, ctx => ctx.MessageId = messageId, ct).ConfigureAwait(false);
        }

        private void Update(ReplaySeries series, Action<ReplaySeries> change)
        {
            lock (manifest)
                change(series);
            manifest.Save(output);
        }

        private void Finish(ReplaySeries series, ReplaySeriesState state, string? error, Stopwatch watch)
        {
            Update(series, s => { s.State = state; s.Error = error; s.Seconds = Math.Round(watch.Elapsed.TotalSeconds, 2); });
            var what = state switch
            {
                ReplaySeriesState.Done => series.Dice is { } dice ? string.Create(CultureInfo.InvariantCulture, $"done, Dice {dice:F3}") : "done",
                ReplaySeriesState.Filtered => $"filtered ({error})",
                _ => $"{state.ToString().ToUpperInvariant()}: {error}",
            };
            bar.Step(string.Create(CultureInfo.InvariantCulture, $"{series.SeriesInstanceUid} \"{series.Description}\" ({series.Instances} instances, {watch.Elapsed.TotalSeconds:F1} s): {what}"),
                state == ReplaySeriesState.Done);
        }
    }

    /// <summary>One line per finished series: bar, count, the series and its outcome, and the time left at this run's
    /// pace so far.</summary>
    private sealed class EtaProgress(TextWriter output, int total, int finishedBefore, int todo)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _gate = new();
        private int _ended;
        private int _processed;

        public int Processed
        {
            get
            {
                lock (_gate)
                    return _processed;
            }
        }

        public void Step(string what, bool processed)
        {
            lock (_gate)
            {
                _ended++;
                if (processed)
                    _processed++;
                var done = finishedBefore + _ended;
                var filled = total == 0 ? 30 : done * 30 / total;
                var left = todo - _ended;
                var eta = left == 0 ? "" : " | ETA " + Format(TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / _ended * left));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('.', 30 - filled)}] {done}/{total} {what}{eta}"));
                output.Flush();
            }
        }

        public void Note(string text)
        {
            lock (_gate)
            {
                output.WriteLine("  " + text);
                output.Flush();
            }
        }

        private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : $"{t.Minutes}m{t.Seconds:D2}s";
    }
}
