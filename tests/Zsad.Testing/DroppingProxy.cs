using System.Net;
using System.Net.Sockets;

namespace Zsad.Testing;

/// <summary>A loopback TCP proxy in front of a peer that cuts one connection dead (RST both ways) once the peer has
/// sent more than a given number of bytes on it: a PACS dropping an association in the middle of a retrieve. Every
/// other connection, before and after, passes untouched.</summary>
public sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;
    private readonly long _dropAfterBytes;
    private readonly Task _accepting;
    private int _drops;

    public DroppingProxy(int targetPort, long dropAfterBytes)
    {
        _targetPort = targetPort;
        _dropAfterBytes = dropAfterBytes;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>Connections cut so far (at most one).</summary>
    public int Drops => Volatile.Read(ref _drops);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        using (client)
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                return;
            }
            var up = PumpAsync(client, server, countTowardsDrop: false);
            var down = PumpAsync(server, client, countTowardsDrop: true);
            await Task.WhenAny(up, down);
            Cut(client);
            Cut(server);
            await Task.WhenAll(up, down);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool countTowardsDrop)
    {
        var buffer = new byte[16 * 1024];
        long total = 0;
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                    return;
                total += n;
                if (countTowardsDrop && total > _dropAfterBytes && Interlocked.CompareExchange(ref _drops, 1, 0) == 0)
                    return; // the peer "crashes" here: what it sent past the limit never arrives
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the other side is gone
        }
    }

    private static void Cut(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // close with RST, as a crashed peer's kernel would
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // already closed
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
