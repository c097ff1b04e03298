using System.Net;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zsad.Contracts;
using Zsad.Host.Configuration;
using Zsad.Host.Consumers;
using Zsad.Host.Observability;
using Zsad.Host.Pipeline;
using Zsad.Inference.Detection;
using Zsad.Inference.Detection.Views;
using Zsad.Listener;
using Zsad.Listener.Bus;
using Zsad.Listener.Storage;
using Zsad.Reporter.Export;

namespace Zsad.Host;

/// <summary>The roles this process runs, wired to one bus: the Listener (when it runs here it owns the bus and its
/// outbox), the inference and reporter receive endpoints, and the health/metrics endpoint. With RabbitMQ, every
/// inference process consumes from the one "zsad-inference" queue: competing consumers, each holding at most
/// Prefetch messages.</summary>
public sealed class ZsadService : IAsyncDisposable
{
    public const string InferenceQueue = "zsad-inference";
    public const string ReporterQueue = "zsad-reporter";

    private readonly ZsadOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private IBusControl? _ownBus;
    private HealthEndpoint? _http;
    private Task<InferenceWorker>? _inference;

    public ZsadService(ZsadOptions options, ILoggerFactory? loggers = null)
    {
        options.Validate();
        _options = options;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<ZsadService>();
        Roles = options.Roles;
        Blobs = new FolderBlobStore(options.BlobPath, !options.NoFsync);
    }

    public ServiceRole Roles { get; }
    public ZsadOptions Options => _options;
    public PipelineMetrics Metrics { get; } = new();
    public FolderBlobStore Blobs { get; }
    public ListenerService? Listener { get; private set; }
    /// <summary>The inference worker once its detector is loaded (null while loading, or not this process's role).</summary>
    public InferenceWorker? Inference => _inference is { IsCompletedSuccessfully: true } t ? t.Result : null;

    /// <summary>Completes when the detector is loaded (its normals can take a while), faulted if it could not be.</summary>
    public Task<InferenceWorker> InferenceReady => _inference ?? throw new InvalidOperationException("the inference role does not run in this process");
    public ReportWorker? Reporter { get; private set; }
    public int? HttpPort => _http?.Port;
    public int ListenerPort => Listener?.Port ?? throw new InvalidOperationException("the listener role does not run in this process");

    /// <summary>Raised after each report is complete (demo, replay and tests wait on it).</summary>
    public event Action<ReportOutcome>? Reported;

    /// <summary>Raised when a volume failed for good (after the retries), with the volume id and the error; only
    /// where the roles share this process (in-memory bus): demo and replay stop waiting for it.</summary>
    public event Action<string, string>? Faulted;

    /// <summary>The bus, whichever role created it.</summary>
    public IBusControl? Bus => _ownBus ?? Listener?.Bus as IBusControl;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _logger.LogInformation("zsad serve: roles {Roles}, bus {Bus}, data {DataDirectory}", Roles,
            _options.RabbitMqUri is null ? "in-memory" : "RabbitMQ " + ZsadBus.Redact(_options.RabbitMqUri), _options.DataPath);
        if (Roles.HasFlag(ServiceRole.Inference))
        {
            // Loading the detector (reference normals, ONNX session) takes seconds to minutes; the listener must
            // accept instances meanwhile, so it loads in the background and the consumer waits for it.
            _inference = Task.Run(CreateInference, CancellationToken.None);
            _ = _inference.ContinueWith(t => _logger.LogCritical("the detector did not load: {Error}", t.Exception!.GetBaseException().Message),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        if (Roles.HasFlag(ServiceRole.Reporter))
            Reporter = CreateReporter();

        if (Roles.HasFlag(ServiceRole.Listener))
        {
            Listener = new ListenerService(new ListenerOptions
            {
                DataDirectory = _options.DataPath,
                IntakeDirectory = _options.IntakePath,
                BlobDirectory = _options.BlobPath,
                AETitle = _options.Listener.AETitle.Trim(),
                BindAddress = IPAddress.Parse(_options.Listener.Bind),
                Port = _options.Listener.Port,
                AllowedCallingAETitles = _options.Listener.AllowCalling is { Length: > 0 } allow
                    ? allow.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null,
                QuietTime = TimeSpan.FromSeconds(_options.Listener.QuietSeconds),
                Filter = _options.Listener.Filter,
                LateInstances = _options.Listener.LatePolicy,
                RabbitMqUri = _options.RabbitMqUri,
                FlushToDisk = !_options.NoFsync,
                LoggerFactory = _loggers,
                StageObserved = (stage, duration) => Metrics.ObserveStage(stage, duration.TotalSeconds),
            }, ConfigureEndpoints);
            await Listener.StartAsync(cancellationToken).ConfigureAwait(false);
            var listener = Listener;
            Metrics.Gauge("zsad_instances_received", "", () => listener.Store.Scan().Sum(s => (double)s.InstanceCount));
            Metrics.Gauge("zsad_series_received", "", () => listener.Store.Scan().Count());
            Metrics.Gauge("zsad_volumes_published", "", () => listener.Outbox.Sent().Count);
            Metrics.Gauge("zsad_queue_depth", "queue=\"outbox\"", () => listener.Outbox.Pending().Count);
            _logger.LogInformation("listener: AE {AETitle} on {Bind}:{Port}", _options.Listener.AETitle, _options.Listener.Bind, Listener.Port);
        }
        else
        {
            _ownBus = ZsadBus.Create(_options.RabbitMqUri, ConfigureEndpoints);
            _loops.Add(BusStarter.StartAsync(_ownBus, _logger, _stopping.Token));
        }

        if (_options.Http.Enabled)
        {
            _http = new HealthEndpoint(this, IPAddress.Parse(_options.Http.Bind), _options.Http.Port);
            await _http.StartAsync(cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("health and metrics on http://{Bind}:{Port}/health and /metrics", _options.Http.Bind, _http.Port);
        }
    }

    private void ConfigureEndpoints(IBusFactoryConfigurator cfg)
    {
        if (_inference is { } inference)
        {
            cfg.ReceiveEndpoint(InferenceQueue, e =>
            {
                // Prefetch bounds what one process holds while it works, so idle processes get the rest of the queue.
                e.PrefetchCount = _options.Inference.Prefetch;
                e.ConcurrentMessageLimit = _options.Inference.ConcurrentMessages;
                e.UseMessageRetry(r => r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)));
                e.Consumer(() => new VolumeReadyConsumer(inference, Metrics));
            });
        }
        if (Reporter is { } reporter)
        {
            cfg.ReceiveEndpoint(ReporterQueue, e =>
            {
                e.PrefetchCount = 4;
                e.ConcurrentMessageLimit = 2;
                e.UseMessageRetry(r => r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)));
                e.Consumer(() => new AnomalyMapReadyConsumer(reporter, Metrics, outcome => Reported?.Invoke(outcome)));
            });
        }
        if (_options.RabbitMqUri is null)
        {
            // Faults are published once the retries are spent; on the in-memory bus they would otherwise vanish.
            cfg.ReceiveEndpoint("zsad-faults", e =>
            {
                e.Handler<Fault<VolumeReady>>(context => OnFault(context.Message.Message.VolumeId, context.Message.Exceptions));
                e.Handler<Fault<AnomalyMapReady>>(context => OnFault(context.Message.Message.VolumeId, context.Message.Exceptions));
            });
        }
    }

    private Task OnFault(string volumeId, ExceptionInfo[] exceptions)
    {
        var error = exceptions.Length > 0 ? $"{exceptions[0].ExceptionType}: {exceptions[0].Message}" : "unknown error";
        Metrics.Increment("zsad_series_failed_total");
        _logger.LogError("volume {VolumeId} failed: {Error}", volumeId, error);
        Faulted?.Invoke(volumeId, error);
        return Task.CompletedTask;
    }

    private static string? Sigma(ZsadOptions.InferenceSettings settings)
        => settings.ThroughPlaneSigma?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private InferenceWorker CreateInference()
    {
        var settings = _options.Inference;
        var logger = _loggers.CreateLogger<InferenceWorker>();
        LoadedDetector loaded;
        if (settings.Normals == ZsadOptions.InferenceSettings.PhantomNormals)
        {
            var normals = DetectorCatalog.PhantomNormals();
            if (!DetectorCatalog.BuiltIn.Contains(settings.Detector))
                throw new ZsadConfigurationException("Zsad:Inference:Normals", $"'phantom' references suit the built-in detectors only, not '{settings.Detector}'");
            var built = DetectorCatalog.FromNormals(settings.Detector, normals, SlicingOptions.Resolve(settings.Views, Sigma(settings), null, null), logger);
            loaded = new LoadedDetector(built, ReferenceTrust.For(built, siteNormals: false,
                "PHANTOM references (lesion-free synthetic brains): fine for synthetic studies, meaningless for real scans"));
        }
        else
        {
            try
            {
                loaded = DetectorCatalog.Load(settings.Detector, string.IsNullOrWhiteSpace(settings.Normals) ? null : settings.Normals, logger,
                    settings.Views, Sigma(settings));
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or FileNotFoundException)
            {
                throw new ZsadConfigurationException("Zsad:Inference:Detector", ex.Message);
            }
        }
        var (detector, references) = (loaded.Detector, loaded.Trust.References);
        var worker = new InferenceWorker(Blobs, detector, loaded.Trust, Metrics, logger, HoldPoint.FromEnvironment(), settings.AllowUncalibrated);
        if (loaded.Trust.Warning is { } warning)
            _logger.LogWarning("{Warning}; {Consequence}", warning, settings.AllowUncalibrated
                ? "Inference:AllowUncalibrated is set: BINARY SEGs are sent anyway, marked uncalibrated"
                : "no BINARY SEG is sent (set Inference:AllowUncalibrated / --allow-uncalibrated to send them anyway), /health reports degraded");
        if (worker.FallbackReason is { } reason)
            _logger.LogWarning("inference runs on {Provider}: {Reason}", worker.Provider, reason);
        _logger.LogInformation("inference: detector {Detector} on {Provider}; references: {References}", detector.Name, worker.Provider, references);
        // An info-style series: scrapes and alerts see which provider the detector really runs on (a CUDA fallback shows as Cpu).
        Metrics.Gauge("zsad_inference_provider", $"detector=\"{detector.Name}\",provider=\"{worker.Provider}\"", () => 1);
        return worker;
    }

    private ReportWorker CreateReporter()
    {
        var r = _options.Reporter;
        var destination = r.Destination is { Length: > 0 } d ? ExportDestination.Parse(d) with { CallingAE = r.CallingAETitle } : null;
        var options = new ReportWorkerOptions
        {
            OutputDirectory = _options.ReportPath,
            IntakeDirectory = _options.IntakePath,
            PacsDirectory = _options.PacsPath,
            DeadLetterDirectory = _options.DeadLetterPath,
            Destination = destination,
            Threshold = r.ThresholdValue,
            GroundTruthDirectory = string.IsNullOrWhiteSpace(r.GroundTruthDirectory) ? null : Path.GetFullPath(r.GroundTruthDirectory),
            Export = new ExportOptions { LoggerFactory = _loggers },
        };
        _logger.LogInformation("reporter: reports in {Reports}, SEG to {Destination}", options.OutputDirectory,
            destination?.ToString() ?? "PACS folder " + options.PacsDirectory);
        return new ReportWorker(options, Blobs, Metrics, _loggers.CreateLogger<ReportWorker>());
    }

    public async Task StopAsync()
    {
        if (_http is not null)
            await _http.DisposeAsync().ConfigureAwait(false);
        _http = null;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        if (Listener is not null)
            await Listener.DisposeAsync().ConfigureAwait(false);
        Listener = null;
        if (_ownBus is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _ownBus.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or MassTransitException)
            {
                _logger.LogWarning("bus did not stop cleanly: {Error}", ex.Message);
            }
            _ownBus = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_inference is not null)
        {
            try
            {
                (await _inference.ConfigureAwait(false)).Dispose();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // it never loaded: nothing to release, and the failure was logged when it happened
            }
            _inference = null;
        }
        _stopping.Dispose();
    }
}
