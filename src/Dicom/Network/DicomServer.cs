using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zsad.Dicom.Network;

/// <summary>A C-ECHO and C-STORE SCP. Each connection runs on its own task; a failure in one association is
/// contained in it (aborted and logged) and never reaches the listener or the others.</summary>
public sealed class DicomServer : IAsyncDisposable
{
    /// <summary>Connections still negotiating (or being rejected) beyond <see cref="DicomServerOptions.MaxAssociations"/>.</summary>
    private const int MaxConnectionsBeyondAssociations = 64;

    private readonly Func<ReceivedInstance, CancellationToken, ValueTask> _store;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private int _active;
    private int _nextConnection;
    private long _accepted;
    private long _rejected;
    private long _stored;

    /// <param name="store">Called once per received instance; the C-STORE-RSP is sent when it completes. Throw
    /// <see cref="IOException"/> for A700, <see cref="DicomStorageException"/> for a chosen status.</param>
    public DicomServer(DicomServerOptions options, Func<ReceivedInstance, CancellationToken, ValueTask>? store = null)
    {
        options.Validate();
        Options = options;
        _store = store ?? ((_, _) => ValueTask.CompletedTask);
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DicomServer>();
    }

    public DicomServerOptions Options { get; }

    /// <summary>The bound port (useful with <see cref="DicomServerOptions.Port"/> 0).</summary>
    public int Port { get; private set; }

    public int ActiveAssociations => Volatile.Read(ref _active);
    public long AssociationsAccepted => Interlocked.Read(ref _accepted);
    public long AssociationsRejected => Interlocked.Read(ref _rejected);
    /// <summary>C-STOREs answered with success (the storage callback completed).</summary>
    public long InstancesStored => Interlocked.Read(ref _stored);

    internal ILogger Logger => _logger;
    internal Func<ReceivedInstance, CancellationToken, ValueTask> Store => _store;

    public void Start()
    {
        if (_listener is not null)
            throw new InvalidOperationException("the server is already started");
        var listener = new Socket(Options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(Options.BindAddress, Options.Port));
            listener.Listen(128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _logger.LogInformation("DICOM SCP {AETitle} listening on {Address}:{Port} (TLS {Tls})", Options.AETitle, Options.BindAddress, Port, Options.Tls is not null);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // e.g. EMFILE: back off instead of spinning, keep serving the associations we have
                _logger.LogWarning("accept failed: {Error}", ex.SocketErrorCode);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            if (_connections.Count >= Options.MaxAssociations + MaxConnectionsBeyondAssociations)
            {
                // every connection holds a thread until ARTIM expires: a flood of idle connections must not grow them without bound
                _logger.LogWarning("closing a connection from {Remote}: {Count} connections already open", socket.RemoteEndPoint, _connections.Count);
                socket.Dispose();
                continue;
            }
            socket.NoDelay = true; // small PDUs (responses, RELEASE) would otherwise wait for delayed ACKs
            var id = Interlocked.Increment(ref _nextConnection);
            var task = RunOnOwnThread(new ServerAssociation(this, socket, id), ct);
            _connections[id] = task;
            _ = task.ContinueWith(t => _connections.TryRemove(id, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Each association gets a thread of its own with blocking I/O (at most a few dozen, bounded by
    /// MaxAssociations plus the ones being rejected): the profile of the thread-pool version showed its workers
    /// spinning (sched_yield) and hopping between receive completions, on the cores the senders need.</summary>
    private static Task RunOnOwnThread(ServerAssociation association, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                association.Run(ct);
            }
            finally
            {
                done.TrySetResult(); // Run contains every failure of its association
            }
        }) { IsBackground = true, Name = "dicom scp association" };
        thread.Start();
        return done.Task;
    }

    /// <summary>Counts an association in, or refuses when <see cref="DicomServerOptions.MaxAssociations"/> are busy.</summary>
    internal bool TryEnterAssociation()
    {
        if (Interlocked.Increment(ref _active) <= Options.MaxAssociations)
        {
            Interlocked.Increment(ref _accepted);
            return true;
        }
        Interlocked.Decrement(ref _active);
        return false;
    }

    internal void ExitAssociation() => Interlocked.Decrement(ref _active);

    internal void CountRejection() => Interlocked.Increment(ref _rejected);

    internal void CountStored() => Interlocked.Increment(ref _stored);

    /// <summary>Stops listening and aborts open associations (A-ABORT), waiting up to <paramref name="grace"/>
    /// for them to wind down.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_listener is null)
            return;
        _listener.Dispose();
        if (_acceptLoop is not null)
        {
            _stopping.Cancel();
            await _acceptLoop.ConfigureAwait(false);
        }
        var pending = _connections.Values.ToArray();
        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(grace ?? TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _logger.LogInformation("DICOM SCP {AETitle} stopped", Options.AETitle);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
