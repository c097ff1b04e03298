using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Zsad.Host.Tests.Support;

/// <summary>`zsad serve` as a separate process, as it runs in production: started, waited for (its "ready" line,
/// bounded), stopped for sure. Its output is kept for failure messages.</summary>
public sealed partial class ZsadProcess : IDisposable
{
    private readonly Process _process;

    private ZsadProcess(Process process, int? dicomPort, int? httpPort)
    {
        _process = process;
        DicomPort = dicomPort;
        HttpPort = httpPort;
    }

    public int? DicomPort { get; }
    public int Pid => _process.Id;
    public int? HttpPort { get; }
    public string Output => PeerProcess.Output(_process);

    public static ZsadProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var zsad = Path.Combine(AppContext.BaseDirectory, "zsad.dll");
        var p = PeerProcess.Start("dotnet", [zsad, "serve", .. args], environment);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (ReadyLine().Match(PeerProcess.Output(p)) is { Success: true } m)
                return new ZsadProcess(p, Port(m.Groups[1].Value), Port(m.Groups[2].Value));
            if (p.HasExited)
                Assert.Fail($"zsad serve exited with {p.ExitCode} before it was ready:\n{PeerProcess.Output(p)}");
            Thread.Sleep(100);
        }
        var output = PeerProcess.Output(p);
        PeerProcess.Stop(p);
        Assert.Fail($"zsad serve was not ready in time:\n{output}");
        return null!;
    }

    private static int? Port(string endpoint) => endpoint == "-" ? null : int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..]);

    /// <summary>kill -9: no shutdown code runs, nothing is acknowledged or flushed (Process.Kill sends SIGKILL on Unix).</summary>
    public void KillHard()
    {
        _process.Kill();
        Assert.True(_process.WaitForExit(30_000), "zsad serve did not die within 30 s of SIGKILL");
    }

    public void Dispose()
    {
        PeerProcess.Stop(_process);
        _process.Dispose();
    }

    [GeneratedRegex(@"zsad serve ready: roles \S+, dicom (\S+), http (\S+)")]
    private static partial Regex ReadyLine();
}
