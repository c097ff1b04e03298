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

/// <summary>A long-running peer (Orthanc, the viewer's server) owned by a fixture: started with its output kept for
/// failure messages, stopped for sure on dispose.</summary>
public sealed class BackgroundProcess(string program, IEnumerable<string> args, string? workingDirectory = null) : IDisposable
{
    private readonly Process _process = PeerProcess.Start(program, args, workingDirectory: workingDirectory);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The last 6,000 characters the peer printed.</summary>
    public string Output
    {
        get
        {
            var output = PeerProcess.Output(_process);
            return output.Length > 6000 ? output[^6000..] : output;
        }
    }

    public void Dispose() => PeerProcess.Stop(_process);
}
