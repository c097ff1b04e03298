using System.Collections.Concurrent;
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Logging;
using Zsad.Contracts;
using Zsad.Host.Configuration;
using Zsad.Host.Pipeline;
using Zsad.Listener.Import;
using Zsad.Reporter.Evaluation;

namespace Zsad.Host.Replay;

/// <summary>`zsad replay`: an archive through the same pipeline as live traffic (importer -> outbox -> bus ->
/// inference -> reporter), all in this process. Resumable: a case whose result is in the report folder is passed
/// over, and the pipeline's state (blobs, outbox, maps) lives in OUT/.zsad, so an interrupted run picks up where
/// it stopped without recomputing finished maps.</summary>
public static class ReplayRunner
{
    public static async Task<ReplaySummary> RunAsync(ReplayOptions replay, ILoggerFactory loggers, TextWriter progress, CancellationToken cancellationToken = default)
    {
        var input = Path.GetFullPath(replay.Input);
        var output = Path.GetFullPath(replay.Output);
        if (!File.Exists(input) && !Directory.Exists(input))
            throw new FileNotFoundException($"replay: --input {replay.Input} does not exist", replay.Input);
        var options = new ZsadOptions
        {
            DataDirectory = Path.Combine(output, ".zsad"),
            Role = "all",
            RabbitMq = null,
            Listener = new ZsadOptions.ListenerSettings { Port = 0 }, // nothing is received over DICOM; the port is just free
            Inference = new ZsadOptions.InferenceSettings { Detector = replay.Detector, Normals = replay.Normals, AllowUncalibrated = replay.AllowUncalibrated },
            Reporter = new ZsadOptions.ReporterSettings { OutputDirectory = output, Threshold = replay.Threshold },
            Http = new ZsadOptions.HttpSettings { Enabled = false },
        };
        await using var service = new ZsadService(options, loggers);
        var done = new ConcurrentDictionary<string, ReportOutcome>(StringComparer.Ordinal);
        var failed = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var signal = new SemaphoreSlim(0);
        service.Reported += o => { done[o.VolumeId] = o; signal.Release(); };
        service.Faulted += (id, error) => { failed[id] = error; signal.Release(); };
        await service.StartAsync(cancellationToken).ConfigureAwait(false);

        var cases = Cases(input);
        var detector = (await service.InferenceReady.ConfigureAwait(false)).DetectorName;
        var skipped = 0;
        var waiting = new Dictionary<string, string>(StringComparer.Ordinal); // volume id -> case name
        var bar = new ProgressBar(progress, cases.Count);
        // Message ids the outbox held before this run (read once: an archive has thousands of cases).
        var outbox = service.Listener!.Outbox;
        var earlier = outbox.Pending().Select(e => e.MessageId).Concat(outbox.Sent().Select(e => e.MessageId)).ToHashSet();
        foreach (var path in cases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var message in await service.Listener.Importer.ImportAsync(path, cancellationToken).ConfigureAwait(false))
            {
                var enqueued = !earlier.Contains(VolumeIds.MessageIdFor(message.VolumeId));
                var name = message.CaseId ?? message.SeriesInstanceUid ?? message.VolumeId;
                var result = service.Reporter!.ResultPathFor(
                    ReportWorker.CaseName(message.CaseId, message.SeriesInstanceUid, message.VolumeId, message.Generation), detector);
                if (File.Exists(result))
                {
                    skipped++;
                    bar.Step($"{name}: done before");
                    continue;
                }
                if (!enqueued)
                {
                    // Published in an earlier, interrupted run whose in-memory bus died with it: send it again.
                    await service.Bus!.Publish(message, ctx => ctx.MessageId = VolumeIds.MessageIdFor(message.VolumeId), cancellationToken).ConfigureAwait(false);
                }
                waiting[message.VolumeId] = name;
            }
        }
        var processed = 0;
        var deadline = DateTime.UtcNow + replay.CaseTimeout * Math.Max(1, waiting.Count);
        while (waiting.Count > 0)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await signal.WaitAsync(left, cancellationToken).ConfigureAwait(false))
                throw new TimeoutException($"replay: {waiting.Count} case(s) unfinished after {replay.CaseTimeout.TotalMinutes:0} min each: {string.Join(", ", waiting.Values.Take(5))}");
            foreach (var id in waiting.Keys.ToList())
            {
                if (done.TryGetValue(id, out var outcome))
                {
                    processed++;
                    bar.Step(outcome.Dice is { } dice ? string.Create(CultureInfo.InvariantCulture, $"{waiting[id]}: Dice {dice:F3}") : $"{waiting[id]}: done");
                    waiting.Remove(id);
                }
                else if (failed.TryGetValue(id, out var error))
                {
                    bar.Step($"{waiting[id]}: FAILED {error}");
                    waiting.Remove(id);
                }
            }
        }

        string? report = null;
        if (Directory.Exists(input) && cases.Count > 0 && cases.All(c => File.Exists(Path.Combine(c, Path.GetFileName(c) + VolumeImporter.MaskSuffix))))
        {
            var threshold = options.Reporter.ThresholdValue.Value;
            var truthRoot = cases.Count == 1 && cases[0] == input ? Path.GetDirectoryName(input)! : input;
            var summary = EvaluationRunner.Run(Path.Combine(output, "maps"), truthRoot, threshold);
            EvaluationReport.Write(summary, threshold, output);
            report = Path.Combine(output, EvaluationReport.HtmlFile);
            progress.Write(EvaluationReport.TextSummary(summary, threshold));
        }
        var failures = failed.Where(f => !done.ContainsKey(f.Key)).Select(f => f.Key + ": " + f.Value).ToList();
        return new ReplaySummary(cases.Count, processed, skipped, failures, report);
    }

    /// <summary>The units of work: each BraTS case folder, else the input itself (one DICOM series or NIfTI file).</summary>
    private static List<string> Cases(string input)
    {
        if (File.Exists(input) || VolumeImporter.IsBratsCase(input))
            return [input];
        var cases = Directory.EnumerateDirectories(input).Where(VolumeImporter.IsBratsCase).Order(StringComparer.Ordinal).ToList();
        return cases.Count > 0 ? cases : [input];
    }
}
