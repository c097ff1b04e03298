using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zsad.Dicom.Network;
using Zsad.Listener.Bus;
using Zsad.Listener.Filtering;
using Zsad.Listener.Import;
using Zsad.Listener.Intake;
using Zsad.Listener.Outbox;
using Zsad.Listener.Storage;
using Zsad.Listener.Volumes;

namespace Zsad.Listener;

/// <summary>The Listener role assembled: SCP -> durable intake -> series assembly -> volume + VolumeReady -> outbox ->
/// bus. <see cref="StartAsync"/> resumes what the outbox holds before it accepts new associations, and the series the
/// store holds unprocessed as soon as it accepts them (their quiet time counts from then).</summary>
public sealed class ListenerService : IAsyncDisposable
{
    private readonly ListenerOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Action<IBusFactoryConfigurator>? _configureBus;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private IBusControl? _bus;
    private DicomServer? _server;

    /// <param name="configureBus">Extra bus configuration (e.g. receive endpoints of an all-in-one host or a test).</param>
    /// <param name="publisher">Replaces the bus as the outbox's transport (tests of outages); no bus is created then.</param>
    public ListenerService(ListenerOptions options, Action<IBusFactoryConfigurator>? configureBus = null, IMessagePublisher? publisher = null)
    {
        options.Validate();
        _options = options;
        _configureBus = configureBus;
        _loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<ListenerService>();
        Store = new IntakeStore(options.IntakePath, options.FlushToDisk, openFilesAhead: true);
        Blobs = new FolderBlobStore(options.BlobPath, options.FlushToDisk);
        Outbox = new FileOutbox(options.OutboxPath, options.FlushToDisk);
        var volumes = new VolumePublisher(Blobs, Outbox, _loggers.CreateLogger<VolumePublisher>());
        Importer = new VolumeImporter(volumes, _loggers.CreateLogger<VolumeImporter>());
        var processor = new SeriesProcessor(Store, new SeriesFilter(options.Filter), volumes, _loggers.CreateLogger<SeriesProcessor>());
        Assembler = new SeriesAssembler(Store, processor, options.QuietTime, options.LateInstances, _loggers.CreateLogger<SeriesAssembler>(),
            observeStage: options.StageObserved);
        Publisher = publisher;
    }

    public IntakeStore Store { get; }
    public IBlobStore Blobs { get; }
    public FileOutbox Outbox { get; }
    public SeriesAssembler Assembler { get; }
    public VolumeImporter Importer { get; }
    public IMessagePublisher? Publisher { get; private set; }
    /// <summary>The MassTransit bus, when this service created one.</summary>
    public IBus? Bus => _bus;
    public int Port => _server?.Port ?? throw new InvalidOperationException("the listener is not started");

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Publisher is null)
        {
            _bus = ZsadBus.Create(_options.RabbitMqUri, _configureBus);
            Publisher = new MassTransitPublisher(_bus);
            _logger.LogInformation("bus: {Transport}", _options.RabbitMqUri is null ? "in-memory" : "RabbitMQ " + ZsadBus.Redact(_options.RabbitMqUri));
            _loops.Add(StartBusAsync(_bus, _stopping.Token));
        }
        var dispatcher = new OutboxDispatcher(Outbox, Publisher, _loggers.CreateLogger<OutboxDispatcher>(), _options.PublishTimeout,
            observeStage: _options.StageObserved);
        _loops.Add(Task.Run(() => dispatcher.RunAsync(_stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => Assembler.RunAsync(_stopping.Token), CancellationToken.None));

        _server = new DicomServer(new DicomServerOptions
        {
            AETitle = _options.AETitle,
            BindAddress = _options.BindAddress,
            Port = _options.Port,
            AllowedCallingAETitles = _options.AllowedCallingAETitles,
            ParseDatasets = true, // series assembly needs the UIDs
            LoggerFactory = _loggers,
        }, Assembler.OnInstanceAsync);
        _server.Start();
        // Resumed after the SCP accepts associations, so a resumed series' quiet time counts from when its interrupted
        // sender can reach us again, not from before the bus started (which can take seconds on a loaded machine).
        var resumed = Assembler.Resume();
        _logger.LogInformation("listener started: {Resumed} open series resumed, {Pending} message(s) waiting in the outbox", resumed, Outbox.Pending().Count);
        return Task.CompletedTask;
    }

    private Task StartBusAsync(IBusControl bus, CancellationToken cancellationToken) => BusStarter.StartAsync(bus, _logger, cancellationToken);

    public async Task StopAsync()
    {
        if (_server is not null)
            await _server.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        if (_bus is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _bus.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or MassTransitException)
            {
                _logger.LogWarning("bus did not stop cleanly: {Error}", ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_server is not null)
            await _server.DisposeAsync().ConfigureAwait(false);
        Store.Dispose(); // after the server: no association is storing any more
        _stopping.Dispose();
    }
}
