using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Zsad.Viewer.Tests.Support;

/// <summary>The real peers of the viewer tests: Node with viewer/node_modules (npm ci), OHIF's dist, Chromium and
/// Orthanc with its DICOMweb plugin. A missing one fails the test with what to install; nothing is skipped.</summary>
public static class ViewerPeers
{
    public const string DicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
    public const string Chromium = "/usr/bin/chromium";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string ViewerDirectory => Path.Combine(RepositoryRoot, "viewer");

    public static string Node => Peers.Require("node", "nodejs");

    public static string Orthanc => Peers.Require("Orthanc", "orthanc");

    /// <summary>viewer/ after `npm ci`: the Node packages and OHIF's dist that its postinstall unpacks.</summary>
    public static string RequireViewerPackages()
    {
        foreach (var package in new[] { "@cornerstonejs/adapters", "dcmjs", "playwright-core" })
        {
            if (!Directory.Exists(Path.Combine(ViewerDirectory, "node_modules", package)))
                Assert.Fail($"viewer/node_modules/{package} is missing: run (cd viewer && npm ci) with registry access before the tests");
        }
        if (!File.Exists(Path.Combine(ViewerDirectory, "ohif-dist", "index.html")))
            Assert.Fail("viewer/ohif-dist (OHIF's prebuilt viewer) is missing: run (cd viewer && npm ci), its postinstall unpacks @ohif/app");
        return ViewerDirectory;
    }

    public static Process Start(string program, IEnumerable<string> args, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zsad.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Zsad.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A long-running peer whose output is kept for the failure message.</summary>
public sealed class BackgroundProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public BackgroundProcess(string program, IEnumerable<string> args, string? workingDirectory = null)
    {
        _process = ViewerPeers.Start(program, args, workingDirectory);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.Length > 6000 ? _output.ToString(_output.Length - 6000, 6000) : _output.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
