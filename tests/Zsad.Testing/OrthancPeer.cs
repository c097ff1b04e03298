using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Zsad.Testing;

/// <summary>A private Orthanc (Debian's 1.10.1) for one test: own storage, own ports, no authentication.
/// Orthanc 1.10 cannot bind to loopback only, so it is started only inside a private network namespace
/// (test.sh runs the suite under `unshare -n`); anywhere else the test fails and says how to run it.</summary>
public sealed class OrthancPeer : IDisposable
{
    private readonly Process _process;
    private readonly TempDir _dir = new();

    public string AETitle => "ORTHANC";
    public int DicomPort { get; }
    public int HttpPort { get; }
    public HttpClient Http { get; }

    /// <param name="extraConfig">Settings added to the configuration, e.g. DicomModalities (the AEs Orthanc may be queried
    /// by and may C-MOVE to) and DicomAlwaysAllowFind/Get/Move.</param>
    public OrthancPeer(IReadOnlyDictionary<string, object>? extraConfig = null)
    {
        var orthanc = Peers.Require("Orthanc", "orthanc");
        Peers.RequirePrivateNetworkNamespace();
        DicomPort = Peers.FreePort();
        HttpPort = Peers.FreePort();
        var config = new Dictionary<string, object>
        {
            ["Name"] = "zsad-test",
            ["StorageDirectory"] = _dir.File("storage"),
            ["IndexDirectory"] = _dir.File("index"),
            ["DicomAet"] = AETitle,
            ["DicomPort"] = DicomPort,
            ["HttpPort"] = HttpPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomCheckCalledAet"] = true,
            ["Plugins"] = Array.Empty<string>(),
        };
        foreach (var (key, value) in extraConfig ?? new Dictionary<string, object>())
            config[key] = value;
        File.WriteAllText(_dir.File("orthanc.json"), JsonSerializer.Serialize(config));
        _process = PeerProcess.Start(orthanc, [_dir.File("orthanc.json")]);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        WaitUntilReady();
    }

    private void WaitUntilReady()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                Assert.Fail($"Orthanc exited with {_process.ExitCode}: {PeerProcess.Output(_process)}");
            try
            {
                if (Http.GetAsync("system").Result.IsSuccessStatusCode)
                {
                    PeerProcess.WaitForPort(DicomPort, _process);
                    return;
                }
            }
            catch (AggregateException)
            {
            }
            Thread.Sleep(200);
        }
        Assert.Fail("Orthanc did not answer on its REST port in time");
    }

    /// <summary>A DicomModalities entry: Orthanc answers C-FIND/C-GET/C-MOVE from this AE and C-MOVEs to it.</summary>
    public static object Modality(string aeTitle, int port) => new object[] { aeTitle, "127.0.0.1", port };

    public async Task<List<string>> InstanceIdsAsync()
        => (await Http.GetFromJsonAsync<List<string>>("instances"))!;

    public async Task<Dictionary<string, JsonElement>> SimplifiedTagsAsync(string instanceId)
        => (await Http.GetFromJsonAsync<Dictionary<string, JsonElement>>($"instances/{instanceId}/simplified-tags"))!;

    public async Task<byte[]> FileAsync(string instanceId) => await Http.GetByteArrayAsync($"instances/{instanceId}/file");

    public async Task<JsonElement> GetAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    public void Dispose()
    {
        Http.Dispose();
        PeerProcess.Stop(_process);
        _dir.Dispose();
    }
}
