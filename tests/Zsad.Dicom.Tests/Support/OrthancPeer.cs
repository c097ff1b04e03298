using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Zsad.Dicom.Tests.Network;

namespace Zsad.Dicom.Tests.Support;

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

    public OrthancPeer()
    {
        var orthanc = Peers.Require("Orthanc", "orthanc");
        if (!InPrivateNetworkNamespace())
            Assert.Fail("Orthanc listens on every interface: run these tests inside a private network namespace (./test.sh does: unshare -n)");
        DicomPort = NetworkFixtures.FreePort();
        HttpPort = NetworkFixtures.FreePort();
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
        File.WriteAllText(_dir.File("orthanc.json"), JsonSerializer.Serialize(config));
        _process = NetworkFixtures.StartPeer(orthanc, _dir.File("orthanc.json"));
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        WaitUntilReady();
    }

    /// <summary>A private namespace has no interface but loopback (/proc/net/dev is per namespace, /sys is not).</summary>
    public static bool InPrivateNetworkNamespace()
        => File.ReadAllLines("/proc/net/dev").Skip(2).All(l => l.Split(':')[0].Trim() == "lo");

    private void WaitUntilReady()
    {
        var deadline = DateTime.UtcNow + NetworkFixtures.PeerTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                Assert.Fail($"Orthanc exited with {_process.ExitCode}: {NetworkFixtures.Output(_process)}");
            try
            {
                if (Http.GetAsync("system").Result.IsSuccessStatusCode)
                {
                    NetworkFixtures.WaitForPort(DicomPort, _process);
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

    public async Task<List<string>> InstanceIdsAsync()
        => (await Http.GetFromJsonAsync<List<string>>("instances"))!;

    public async Task<Dictionary<string, JsonElement>> SimplifiedTagsAsync(string instanceId)
        => (await Http.GetFromJsonAsync<Dictionary<string, JsonElement>>($"instances/{instanceId}/simplified-tags"))!;

    public async Task<byte[]> FileAsync(string instanceId) => await Http.GetByteArrayAsync($"instances/{instanceId}/file");

    public async Task<JsonElement> GetAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    public void Dispose()
    {
        Http.Dispose();
        NetworkFixtures.Stop(_process);
        _dir.Dispose();
    }
}
