using System.Text.Json;

namespace Zsad.Viewer.Tests.Support;

/// <summary>The pair compose/ deploys, started privately for one test: Debian's Orthanc with its DICOMweb plugin
/// (own storage, own ports) and viewer/serve.js serving OHIF's dist with viewer/app-config.js, proxying DICOMweb
/// to that Orthanc. Everything listens on loopback inside the test's private network namespace.</summary>
public sealed class OhifStack : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDir _dir = new();
    private readonly BackgroundProcess _orthanc;
    private readonly BackgroundProcess? _viewer;

    public string OrthancAETitle => "ORTHANC";
    public int DicomPort { get; }
    public int OrthancHttpPort { get; }
    public int ViewerPort { get; }
    public Uri ViewerUrl => new($"http://127.0.0.1:{ViewerPort}/");
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public OhifStack()
    {
        var orthanc = ViewerPeers.Orthanc;
        Peers.RequireFile(ViewerPeers.DicomWebPlugin, "orthanc-dicomweb");
        var viewer = ViewerPeers.RequireViewerPackages();
        var node = ViewerPeers.Node;
        Peers.RequirePrivateNetworkNamespace();

        DicomPort = Peers.FreePort();
        OrthancHttpPort = Peers.FreePort();
        ViewerPort = Peers.FreePort();
        var config = new Dictionary<string, object>
        {
            ["Name"] = "zsad-viewer-test",
            ["StorageDirectory"] = _dir.File("storage"),
            ["IndexDirectory"] = _dir.File("index"),
            ["DicomAet"] = OrthancAETitle,
            ["DicomPort"] = DicomPort,
            ["HttpPort"] = OrthancHttpPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomCheckCalledAet"] = true,
            ["Plugins"] = new[] { ViewerPeers.DicomWebPlugin },
            // No "Host": the plugin then writes BulkDataURIs from the request's Host/Forwarded, i.e. the viewer's origin.
            ["DicomWeb"] = new Dictionary<string, object> { ["Enable"] = true, ["Root"] = "/dicom-web/", ["EnableWado"] = true, ["WadoRoot"] = "/wado", ["Ssl"] = false },
        };
        File.WriteAllText(_dir.File("orthanc.json"), JsonSerializer.Serialize(config));
        _orthanc = new BackgroundProcess(orthanc, [_dir.File("orthanc.json")]);
        try
        {
            WaitForHttp(new Uri($"http://127.0.0.1:{OrthancHttpPort}/dicom-web/studies"), _orthanc, "Orthanc's DICOMweb plugin");
            _viewer = new BackgroundProcess(node, [Path.Combine(viewer, "serve.js"), "--port", ViewerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--orthanc", $"http://127.0.0.1:{OrthancHttpPort}"], viewer);
            WaitForHttp(new Uri(ViewerUrl, "app-config.js"), _viewer, "viewer/serve.js");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Logs => $"--- Orthanc ---\n{_orthanc.Output}\n--- serve.js ---\n{_viewer?.Output}";

    private void WaitForHttp(Uri url, BackgroundProcess process, string what)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                Assert.Fail($"{what} exited with {process.ExitCode}: {process.Output}");
            try
            {
                using var response = Http.GetAsync(url).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            Thread.Sleep(200);
        }
        Assert.Fail($"{what} did not answer {url} within {StartTimeout.TotalSeconds:F0} s: {process.Output}");
    }

    public void Dispose()
    {
        _viewer?.Dispose();
        _orthanc.Dispose();
        Http.Dispose();
        _dir.Dispose();
    }
}
