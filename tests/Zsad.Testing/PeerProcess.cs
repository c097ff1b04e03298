using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Zsad.Testing;

/// <summary>Long-running peers (storescp, Orthanc, a listener process): started with their output captured,
/// waited for on their port, stopped for sure.</summary>
public static class PeerProcess
{
    private static readonly ConditionalWeakTable<Process, StringBuilder> Logs = new();

    public static Process Start(string executable, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var psi = Peers.StartInfo(executable, args, workingDirectory, environment);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {executable}");
        var log = Logs.GetOrCreateValue(p);
        p.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>What the peer printed so far (stdout and stderr interleaved).</summary>
    public static string Output(Process p)
    {
        var log = Logs.GetOrCreateValue(p);
        lock (log)
            return log.ToString();
    }

    public static void WaitForPort(int port, Process? process = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (process is { HasExited: true })
                Assert.Fail($"peer exited with code {process.ExitCode} before listening on {port}: {Output(process)}");
            try
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }
        Assert.Fail($"nothing listens on 127.0.0.1:{port} in time");
    }

    public static void Stop(Process p)
    {
        try
        {
            if (!p.HasExited)
                p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        p.Dispose();
    }
}
