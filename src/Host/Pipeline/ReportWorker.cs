using Zsad.Listener;
using Zsad.Dicom.IO;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Zsad.Contracts;
using Zsad.Dicom;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Host.Observability;
using Zsad.Listener.Intake;
using Zsad.Listener.Storage;
using Zsad.Reporter.Evaluation;
using Zsad.Reporter.Export;
using Zsad.Reporter.Metrics;
using Zsad.Reporter.Segmentation;
using Zsad.Reporter.Summary;

namespace Zsad.Host.Pipeline;

/// <summary>AnomalyMapReady in, files and a SEG out: thresholds the map, writes map and mask NIfTI, the BINARY SEG and
/// the summary SR durably (deterministic UIDs: one SEG series per (series, detector) however often this runs), sends
/// them to the destination or the PACS folder, and evaluates against ground truth when there is one. result.json is
/// written last; a redelivery that finds it does nothing again.</summary>
public sealed class ReportWorker(ReportWorkerOptions options, FolderBlobStore blobs, PipelineMetrics metrics, ILogger<ReportWorker> logger)
{
    public const string ResultFile = "result.json";
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public ReportWorkerOptions Options => options;

    /// <summary>The case name used for maps/&lt;name&gt;.nii.gz and masks/&lt;name&gt;.nii.gz.</summary>
    public static string CaseName(AnomalyMapReady m) => CaseName(m.CaseId, m.SeriesInstanceUid, m.VolumeId, m.Generation);

    public static string CaseName(string? caseId, string? seriesInstanceUid, string volumeId, int generation)
    {
        var name = caseId ?? seriesInstanceUid ?? volumeId;
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
        return generation > 1 ? $"{safe}-g{generation}" : safe;
    }

    public string ResultPathFor(AnomalyMapReady m) => ResultPathFor(CaseName(m), m.Detector);

    /// <summary>result.json of a case: present once the case is reported (replay resumes past it).</summary>
    public string ResultPathFor(string caseName, string detector) => Path.Combine(options.OutputDirectory, "cases", caseName, detector, ResultFile);

    public async Task<ReportOutcome> ProcessAsync(AnomalyMapReady message, CancellationToken cancellationToken = default)
    {
        // Redeliveries of one result may arrive together (RabbitMQ after a consumer restart): one at a time per case.
        var gate = _locks.GetOrAdd(message.VolumeId + "\n" + message.Detector, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var resultPath = ResultPathFor(message);
            if (File.Exists(resultPath))
            {
                logger.LogInformation("volume {VolumeId} by {Detector} was reported before (redelivery); nothing sent again", message.VolumeId, message.Detector);
                return JsonSerializer.Deserialize(await File.ReadAllBytesAsync(resultPath, cancellationToken).ConfigureAwait(false), HostJsonContext.Default.ReportOutcome)!;
            }
            // Map stored and published (AnomalyMapReady.CreatedAt) to the reporter starting on it.
            metrics.ObserveStage("report_wait", Math.Max(0, (DateTimeOffset.UtcNow - message.CreatedAt).TotalSeconds));
            var watch = Stopwatch.StartNew();
            var outcome = await ReportAsync(message, Path.GetDirectoryName(resultPath)!, cancellationToken).ConfigureAwait(false);
            DurableFile.Write(resultPath, JsonSerializer.SerializeToUtf8Bytes(outcome, HostJsonContext.Default.ReportOutcome));
            metrics.ObserveStage("report", watch.Elapsed.TotalSeconds);
            metrics.ObserveStage("volume_to_report", (DateTimeOffset.UtcNow - message.VolumeCreatedAt).TotalSeconds);
            return outcome;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<ReportOutcome> ReportAsync(AnomalyMapReady message, string caseDirectory, CancellationToken cancellationToken)
    {
        var loading = Stopwatch.StartNew();
        var name = CaseName(message);
        var map = NiftiReader.Read(await blobs.GetAsync(message.Map, cancellationToken).ConfigureAwait(false)).ToSingle();
        var mapPath = Path.Combine(options.OutputDirectory, "maps", name + ".nii.gz");
        NiftiWriter.Write(map, mapPath, new NiftiWriteOptions { Gzip = true });

        var source = await LoadSourceAsync(message, cancellationToken).ConfigureAwait(false);
        var segOptions = new MapSegmentationOptions { Threshold = options.Threshold, DetectorName = message.Detector };
        byte[] mask;
        long segmented;
        string? segPath = null, summaryPath = null, segSeries = null, export = "none";
        // Without the site's normals the decision level has no known false-positive rate: no BINARY SEG unless allowed.
        var withhold = !message.Calibrated && !message.AllowUncalibrated;
        var warning = message.Calibrated ? null : message.CalibrationWarning ?? "UNCALIBRATED: the map carries no calibration information";
        if (source is not null)
        {
            metrics.ObserveStage("report_load", loading.Elapsed.TotalSeconds);
            var building = Stopwatch.StartNew();
            var seg = MapSegmenter.Create(source, map, segOptions);
            mask = seg.Mask;
            segmented = seg.SegmentedVoxels;
            // The SEG's deterministic series UID also seeds the summary's UIDs when the SEG itself is withheld.
            segSeries = seg.Binary.GetRequiredString(DicomTags.SeriesInstanceUID);
            var images = source.Volume.Slices.Select(s => s.SopInstanceUid).Distinct().Select(uid => source.Instances[uid]).ToList();
            var sent = new List<string>();
            if (!withhold)
            {
                segPath = Path.Combine(caseDirectory, "seg.dcm");
                new DicomFile(seg.Binary, TransferSyntax.ExplicitVRLittleEndian).Save(segPath);
                sent.Add(segPath);
            }
            var summary = MetricSummaryReport.Create(images[0], segSeries, "Zsad anomaly segmentation summary", Findings(message, seg, segOptions, warning, withhold),
                withhold ? images : [seg.Binary, .. images]);
            summaryPath = Path.Combine(caseDirectory, "summary.dcm");
            new DicomFile(summary, TransferSyntax.ExplicitVRLittleEndian).Save(summaryPath);
            sent.Add(summaryPath);
            metrics.ObserveStage("seg_build", building.Elapsed.TotalSeconds);
            var exporting = Stopwatch.StartNew();
            export = await ExportAsync(sent, cancellationToken).ConfigureAwait(false);
            metrics.ObserveStage("seg_export", exporting.Elapsed.TotalSeconds);
            if (withhold)
            {
                metrics.Increment("zsad_seg_withheld_total");
                logger.LogWarning("series {SeriesInstanceUid} by {Detector}: NO BINARY SEG sent ({Warning}); the summary SR says why; sent to {Export}",
                    message.SeriesInstanceUid, message.Detector, warning, export);
                segSeries = null;
            }
            else
            {
                logger.LogInformation("SEG series {SegSeriesInstanceUid} for series {SeriesInstanceUid} by {Detector}: {Voxels} voxels, {Components} component(s); sent to {Export}",
                    segSeries, message.SeriesInstanceUid, message.Detector, segmented, seg.Components, export);
                if (warning is not null)
                    logger.LogWarning("series {SeriesInstanceUid}: BINARY SEG sent although {Warning} (Inference:AllowUncalibrated)", message.SeriesInstanceUid, warning);
            }
        }
        else
        {
            // Imports without DICOM sources: the mask is the thresholded map (no components removed, as in the SEG default).
            mask = new byte[map.Data.Length];
            segmented = 0;
            for (var v = 0; v < mask.Length; v++)
                if (map.Data[v] >= options.Threshold.Value)
                {
                    mask[v] = 1;
                    segmented++;
                }
            logger.LogInformation("case {Case} by {Detector}: no DICOM source instances, so no SEG; mask of {Voxels} voxels", name, message.Detector, segmented);
        }
        var maskPath = Path.Combine(options.OutputDirectory, "masks", name + ".nii.gz");
        NiftiWriter.Write(new Volume<byte>(map.SizeX, map.SizeY, map.SizeZ, map.Affine, mask), maskPath,
            new NiftiWriteOptions { Gzip = true });

        string? metricsPath = null;
        double? dice = null;
        if (await LoadTruthAsync(message, name, cancellationToken).ConfigureAwait(false) is { } truth)
        {
            if (!truth.HasSameGrid(map, 1e-3))
                throw new InvalidDataException($"the ground truth of {name} is not on the grid of its map ({truth} vs {map})");
            var evaluator = new MetricsEvaluator(options.Threshold.Value);
            var subject = evaluator.Add(name, map.Data, Array.ConvertAll(truth.Data, v => v != 0f), new VolumeShape(map.SizeX, map.SizeY, map.SizeZ));
            var metricsDirectory = Path.Combine(caseDirectory, "metrics");
            var pValues = new Dictionary<string, double>(StringComparer.Ordinal);
            if (message.ImagePValue is { } p)
                pValues[name] = p;
            EvaluationReport.Write(evaluator.Summarize(), options.Threshold.Value, metricsDirectory,
                new ReportNotes(warning is null ? [] : [warning], pValues));
            metricsPath = Path.Combine(metricsDirectory, EvaluationReport.MetricsFile);
            dice = subject.Dice;
            logger.LogInformation("case {Case} by {Detector} against ground truth: Dice {Dice:F3}", name, message.Detector, subject.Dice);
        }
        metrics.Increment("zsad_series_reported_total", $"detector=\"{message.Detector}\"");
        return new ReportOutcome(message.VolumeId, message.Detector, name, mapPath, maskPath, segPath, summaryPath, segSeries, segmented,
            message.ImageScore, export, metricsPath, dice, DateTimeOffset.UtcNow, warning, message.ImagePValue, withhold && source is not null);
    }

    /// <summary>The source images from the intake store, by the SOP Instance UIDs the Listener recorded; null when the
    /// volume did not come from DICOM or its instances are not in this Reporter's intake folder.</summary>
    private async Task<SourceSeries?> LoadSourceAsync(AnomalyMapReady message, CancellationToken cancellationToken)
    {
        if (message.SourceInstances is null || message.StudyInstanceUid is null || message.SeriesInstanceUid is null)
            return null;
        var list = JsonSerializer.Deserialize(await blobs.GetAsync(message.SourceInstances, cancellationToken).ConfigureAwait(false), ListenerJsonContext.Default.SourceInstanceList)!;
        var directory = Path.Combine(options.IntakeDirectory, "series",
            new SeriesKey(message.CalledAETitle ?? "", message.StudyInstanceUid, message.SeriesInstanceUid).DirectoryName);
        var paths = list.Slices.Select(s => s.SopInstanceUid).Distinct().Select(uid => Path.Combine(directory, uid + ".dcm")).ToList();
        if (paths.Any(p => !File.Exists(p)))
        {
            logger.LogWarning("source instances of series {SeriesInstanceUid} are not under {Directory}; no SEG (is the intake folder shared?)",
                message.SeriesInstanceUid, directory);
            return null;
        }
        return SourceSeries.FromFiles(paths.Select(p => DicomFile.Open(p)).ToList());
    }

    private async Task<Volume<float>?> LoadTruthAsync(AnomalyMapReady message, string name, CancellationToken cancellationToken)
    {
        if (message.GroundTruth is not null)
            return NiftiReader.Read(await blobs.GetAsync(message.GroundTruth, cancellationToken).ConfigureAwait(false)).ToSingle();
        if (options.GroundTruthDirectory is null)
            return null;
        foreach (var candidate in new[] { message.SeriesInstanceUid, message.CaseId, name })
        {
            if (candidate is null)
                continue;
            var path = Path.Combine(options.GroundTruthDirectory, candidate + ".nii.gz");
            if (File.Exists(path))
                return NiftiReader.Read(path).ToSingle();
        }
        return null;
    }

    private async Task<string> ExportAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        if (options.Destination is { } destination)
        {
            var exporter = new DicomExporter(new DeadLetterQueue(options.DeadLetterDirectory), options.Export);
            var outcome = (await exporter.ExportAsync(files, [destination], cancellationToken).ConfigureAwait(false))[0];
            metrics.Increment("zsad_exports_total", outcome.Delivered ? "result=\"delivered\"" : "result=\"dead_letter\"");
            return outcome.Delivered ? destination.ToString() : $"dead-letter {outcome}";
        }
        foreach (var file in files)
        {
            var ds = DicomFile.Open(file).Dataset;
            var target = Path.Combine(options.PacsDirectory, ds.GetRequiredString(DicomTags.StudyInstanceUID),
                ds.GetRequiredString(DicomTags.SeriesInstanceUID), ds.GetRequiredString(DicomTags.SOPInstanceUID) + ".dcm");
            DurableFile.Write(target, await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false));
        }
        metrics.Increment("zsad_exports_total", "result=\"pacs_folder\"");
        return "pacs-folder";
    }

    private static IReadOnlyList<SummaryFinding> Findings(AnomalyMapReady m, MapSegmentationResult r, MapSegmentationOptions o, string? warning, bool withheld) =>
    [
        .. withheld ? [new SummaryFinding("WARNING", $"No segmentation sent. {warning}")]
            : warning is not null ? [new SummaryFinding("WARNING", $"Segmentation sent although uncalibrated (Inference:AllowUncalibrated). {warning}")]
            : Array.Empty<SummaryFinding>(),
        new("Detector", $"{o.DetectorName} {o.DetectorVersion} on {m.ExecutionProvider}"),
        new("Reference normals", m.ReferenceSource),
        new("Calibration", m.Calibrated && m.FalsePositiveRate is { } fpr
            ? string.Create(CultureInfo.InvariantCulture, $"site normals, held out: decision level {o.Threshold} flags {fpr:G3} of healthy brain voxels")
            : "none for this site"),
        new("Image p-value", m.ImagePValue is { } p ? p.ToString("G4", CultureInfo.InvariantCulture) + " (against held-out normal volumes)" : "not available"),
        new("Threshold", o.Threshold.ToString()),
        new("Segmented voxels", r.SegmentedVoxels.ToString(CultureInfo.InvariantCulture)),
        new("Segmented volume", r.SegmentedVolumeMm3.ToString("0.#", CultureInfo.InvariantCulture) + " mm3"),
        new("Connected components", $"{r.Components} kept, {r.ComponentsRemoved} removed"),
        new("Maximum anomaly score", r.MaximumScore.ToString("0.####", CultureInfo.InvariantCulture)),
        new("Image anomaly score", m.ImageScore.ToString("0.####", CultureInfo.InvariantCulture)),
    ];
}
