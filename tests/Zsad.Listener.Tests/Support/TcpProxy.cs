using System.Net;
using System.Net.Sockets;

namespace Zsad.Listener.Tests.Support;

/// <summary>A loopback TCP forwarder in front of the real broker: stopping it is a broker outage as the Listener sees
/// it (connection refused, connections cut), without stopping the broker other tests use.</summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<Socket> _open = [];
    private Socket? _listener;
    private CancellationTokenSource? _cts;

    public TcpProxy(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    public int Port { get; }

    public static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public void Start()
    {
        _cts = new CancellationTokenSource();
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, Port));
        _listener.Listen(64);
        var ct = _cts.Token;
        var listener = _listener;
        _ = Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(ct);
                }
                catch (Exception)
                {
                    return;
                }
                var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await upstream.ConnectAsync(_target, ct);
                }
                catch (Exception)
                {
                    client.Dispose();
                    upstream.Dispose();
                    continue;
                }
                lock (_open)
                {
                    _open.Add(client);
                    _open.Add(upstream);
                }
                _ = Pump(client, upstream, ct);
                _ = Pump(upstream, client, ct);
            }
        }, CancellationToken.None);
    }

    private static async Task Pump(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (n == 0)
                    break;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
            }
        }
        catch (Exception)
        {
            // either side went away: the other is closed below
        }
        try
        {
            to.Shutdown(SocketShutdown.Both);
        }
        catch (Exception)
        {
            // already closed
        }
    }

    /// <summary>Refuses new connections and cuts the open ones.</summary>
    public void Stop()
    {
        _cts?.Cancel();
        _listener?.Dispose();
        _listener = null;
        lock (_open)
        {
            foreach (var s in _open)
                s.Dispose();
            _open.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        _cts?.Dispose();
        return ValueTask.CompletedTask;
    }
}
