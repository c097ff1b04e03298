using Zsad.Listener;
using Zsad.Dicom.IO;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Zsad.Contracts;
using Zsad.Host.Observability;
using Zsad.Imaging.Nifti;
using Zsad.Inference.Detection;
using Zsad.Listener.Storage;
using Zsad.Listener.Volumes;

namespace Zsad.Host.Pipeline;

/// <summary>VolumeReady in, AnomalyMapReady out: loads the volume blob, runs the detector, stores the map under a key
/// derived from (volume, detector). A marker beside the map holds the finished message, so a redelivery republishes
/// the same result (same message id) instead of computing a second map.</summary>
public sealed class InferenceWorker : IDisposable
{
    private readonly FolderBlobStore _blobs;
    private readonly IAnomalyDetector _detector;
    private readonly ReferenceTrust _trust;
    private readonly bool _allowUncalibrated;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    // The detector's ONNX session reuses one input buffer: one volume at a time through it.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="allowUncalibrated">Lets the Reporter send a BINARY SEG although <paramref name="trust"/> is not calibrated.</param>
    public InferenceWorker(FolderBlobStore blobs, IAnomalyDetector detector, ReferenceTrust trust, PipelineMetrics metrics, ILogger<InferenceWorker> logger,
        HoldPoint? hold = null, bool allowUncalibrated = false)
    {
        Hold = hold;
        _blobs = blobs;
        _detector = detector;
        _trust = trust;
        _allowUncalibrated = allowUncalibrated;
        _metrics = metrics;
        _logger = logger;
        (Provider, FallbackReason) = DetectorRuntime.Describe(detector);
    }

    public string DetectorName => _detector.Name;

    /// <summary>Whether the detector's references and calibration come from the site's normals (/health reports it).</summary>
    public ReferenceTrust Trust => _trust;

    public bool AllowUncalibrated => _allowUncalibrated;

    /// <summary>The crash tests' hold point (null outside them).</summary>
    public HoldPoint? Hold { get; }
    public string Provider { get; }
    public string? FallbackReason { get; }

    public async Task<AnomalyMapReady> ProcessAsync(VolumeReady message, CancellationToken cancellationToken = default)
    {
        var prefix = $"maps/{message.VolumeId}/{_detector.Name}";
        var markerPath = _blobs.PathFor(prefix + ".json");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(markerPath))
            {
                var done = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(markerPath, cancellationToken).ConfigureAwait(false), ListenerJsonContext.Default.AnomalyMapReady)!;
                _logger.LogInformation("map of volume {VolumeId} by {Detector} exists (redelivery); publishing it again", message.VolumeId, _detector.Name);
                return done;
            }
            // Volume built (VolumeReady.CreatedAt, before the outbox) to inference starting: publish plus queue time.
            _metrics.ObserveStage("inference_wait", Math.Max(0, (DateTimeOffset.UtcNow - message.CreatedAt).TotalSeconds));
            var watch = Stopwatch.StartNew();
            var volume = NiftiReader.Read(await _blobs.GetAsync(message.Volume, cancellationToken).ConfigureAwait(false)).ToSingle();
            var result = _detector.Detect(volume);
            var seconds = watch.Elapsed.TotalSeconds;
            if (Hold is not null)
                await Hold.ReachAsync(HoldPoint.MapComputed, cancellationToken).ConfigureAwait(false);
            var storing = Stopwatch.StartNew();
            var map = await _blobs.PutAsync(prefix + ".nii.gz", NiftiWriter.ToBytes(result.Map, new NiftiWriteOptions { Gzip = true }),
                VolumePublisher.NiftiGzip, cancellationToken).ConfigureAwait(false);
            var ready = new AnomalyMapReady(message.CorrelationId, message.VolumeId, message.Generation, message.Origin, message.CaseId,
                message.CalledAETitle, message.StudyInstanceUid, message.SeriesInstanceUid, _detector.Name, _trust.References, map, message.Volume,
                message.SourceInstances, message.GroundTruth, message.Shape, result.ImageScore, Provider, seconds, DateTimeOffset.UtcNow, message.CreatedAt,
                _trust.Calibrated, _trust.Warning, _trust.Voxel?.FalsePositiveRate, result.ImagePValue, _allowUncalibrated);
            DurableFile.Write(markerPath, JsonSerializer.SerializeToUtf8Bytes(ready, ListenerJsonContext.Default.AnomalyMapReady));
            _metrics.ObserveStage("inference", seconds);
            _metrics.ObserveStage("map_store", storing.Elapsed.TotalSeconds);
            _logger.LogInformation("volume {VolumeId} of series {SeriesInstanceUid}: map by {Detector} on {Provider} in {Seconds:F2} s, image score {ImageScore:F3}, p-value {ImagePValue}",
                message.VolumeId, message.SeriesInstanceUid, _detector.Name, Provider, seconds, result.ImageScore, result.ImagePValue);
            if (_trust.Warning is { } warning)
                _logger.LogWarning("volume {VolumeId}: {Warning}", message.VolumeId, warning);
            return ready;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        (_detector as IDisposable)?.Dispose();
        _gate.Dispose();
    }
}
