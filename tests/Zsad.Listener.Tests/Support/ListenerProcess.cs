using System.Diagnostics;
using System.Text;

namespace Zsad.Listener.Tests.Support;

/// <summary>The Listener in a separate process (tests/Zsad.Listener.TestHost), so a test can SIGKILL it the way a
/// crash or an OOM kill would: no shutdown code runs.</summary>
public sealed class ListenerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ListenerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public static async Task<ListenerProcess> StartAsync(string dataDirectory, TimeSpan quietTime)
    {
        // Built beside this test project by the ProjectReference (ReferenceOutputAssembly=false).
        var hostDirectory = AppContext.BaseDirectory.Replace("Zsad.Listener.Tests", "Zsad.Listener.TestHost", StringComparison.Ordinal);
        var dll = Path.Combine(hostDirectory, "Zsad.Listener.TestHost.dll");
        Assert.True(File.Exists(dll), $"the listener test host is not built at {dll}");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--data", dataDirectory, "--port", "0", "--quiet-s", quietTime.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("ZSAD_RABBITMQ"); // in-memory bus: these tests check the outbox on disk
        var process = Process.Start(psi)!;
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (log)
                log.AppendLine(e.Data);
            if (e.Data.StartsWith("LISTENING ", StringComparison.Ordinal))
                port.TrySetResult(int.Parse(e.Data["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (log)
                log.AppendLine(e.Data);
        };
        process.Exited += (_, _) => port.TrySetException(new InvalidOperationException("the listener process exited before listening"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var done = await Task.WhenAny(port.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        if (done != port.Task || port.Task.IsFaulted)
        {
            if (!process.HasExited)
                process.Kill();
            string text;
            lock (log)
                text = log.ToString();
            Assert.Fail($"the listener process did not start listening within 30 s:\n{text}");
        }
        var result = new ListenerProcess(process, port.Task.Result);
        lock (result._log)
            result._log.Append(log);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (result._log) result._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (result._log) result._log.AppendLine(e.Data); };
        return result;
    }

    /// <summary>SIGKILL: the process gets no chance to flush, stop or clean up.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
