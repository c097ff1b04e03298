using System.Net;
using System.Net.Sockets;

namespace Zsad.Reporter.Tests.Support;

/// <summary>A TCP relay from a fixed loopback port to a peer: a PACS "coming back" on the address a dead letter
/// names, while the peer itself (Orthanc picks its ports at start) keeps running.</summary>
public sealed class LoopbackForwarder : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = new();

    public LoopbackForwarder(int listenPort, int targetPort)
    {
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
        _listener.Start();
        _ = AcceptAsync(targetPort);
    }

    private async Task AcceptAsync(int targetPort)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var target = new TcpClient { NoDelay = true };
                await target.ConnectAsync(IPAddress.Loopback, targetPort, _stop.Token);
                client.NoDelay = true;
                lock (_connections)
                    _connections.AddRange([client, target]);
                _ = PipeAsync(client, target);
                _ = PipeAsync(target, client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PipeAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_connections)
            foreach (var c in _connections)
                c.Dispose();
    }
}
