using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Zsad.Host.Configuration;
using Zsad.Host.Tests.Support;

namespace Zsad.Host.Tests;

/// <summary>/health says whether this process can work (broker, storage, where inference computes); /metrics is
/// Prometheus text.</summary>
public class HealthTests
{
    private static ZsadOptions Embedded(TempDir dir, string detector = "intensity-baseline", string role = "all", string? broker = null,
        string normals = ZsadOptions.InferenceSettings.PhantomNormals) => new()
    {
        DataDirectory = dir.Path,
        Role = role,
        RabbitMq = broker,
        Listener = new ZsadOptions.ListenerSettings { Port = 0 },
        Inference = new ZsadOptions.InferenceSettings { Detector = detector, Normals = normals },
        Http = new ZsadOptions.HttpSettings { Port = 0 },
    };

    /// <summary>A folder the operator marks normal (here lesion-free phantoms written as NIfTI): the site's normals.</summary>
    private static string SiteNormals(TempDir dir)
    {
        var normals = dir.Sub("site-normals");
        var volumes = Zsad.Inference.Detection.DetectorCatalog.PhantomNormals(3);
        for (var v = 0; v < volumes.Count; v++)
            Zsad.Imaging.Nifti.NiftiWriter.Write(volumes[v], Path.Combine(normals, $"normal{v}.nii.gz"));
        return normals;
    }

    private static async Task<JsonElement> WaitReady(ZsadService service)
        => (await Wait.ForAsync(async () =>
        {
            var h = await GetHealth(service);
            return h.Status == HttpStatusCode.OK ? Tuple.Create(h.Body) : null;
        }, TimeSpan.FromSeconds(60), () => "the embedded service never became ready")).Item1;

    [Fact]
    public async Task PhantomReferences_ReportDegraded_With200_AndSayNoSegIsSent()
    {
        using var dir = new TempDir();
        await using var service = new ZsadService(Embedded(dir, detector: "resnet18-memory"));
        await service.StartAsync();
        var body = await WaitReady(service);
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("ready").GetBoolean());
        var calibration = body.GetProperty("checks").GetProperty("calibration");
        Assert.True(calibration.GetProperty("degraded").GetBoolean());
        Assert.Equal("uncalibrated: no BINARY SEG is sent", calibration.GetProperty("description").GetString());
        Assert.StartsWith("UNCALIBRATED: the references are not this site's normal scans (PHANTOM", calibration.GetProperty("detail").GetString());
        Assert.Contains("zsad models build-memory", calibration.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task SiteNormals_CalibrateTheDetector_AndHealthIsHealthy()
    {
        using var dir = new TempDir();
        await using var service = new ZsadService(Embedded(dir, detector: "resnet18-memory", normals: SiteNormals(dir)));
        await service.StartAsync();
        var body = await WaitReady(service);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var calibration = body.GetProperty("checks").GetProperty("calibration");
        Assert.False(calibration.GetProperty("degraded").GetBoolean());
        Assert.StartsWith("calibrated on site normals: decision level 0.5 = 0.0001 false positives per healthy brain voxel (held out over 3 normal volumes)",
            calibration.GetProperty("description").GetString());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetHealth(ZsadService service)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{service.HttpPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync("health");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task EmbeddedService_IsReady_WithBrokerStorageAndProvider()
    {
        using var dir = new TempDir();
        await using var service = new ZsadService(Embedded(dir, detector: "resnet18-memory", normals: SiteNormals(dir)));
        await service.StartAsync();
        var body = await WaitReady(service);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("live").GetBoolean());
        Assert.Equal("all", body.GetProperty("roles").GetString());
        var checks = body.GetProperty("checks");
        Assert.StartsWith("in-memory: Healthy", checks.GetProperty("broker").GetProperty("description").GetString());
        Assert.True(checks.GetProperty("storage").GetProperty("healthy").GetBoolean());
        // CUDA where the GPU and its libraries load, else the CPU with the reason in "detail".
        var inference = System.Text.RegularExpressions.Regex.Match(checks.GetProperty("inference").GetProperty("description").GetString()!, "^resnet18-memory on (Cuda|Cpu)$");
        Assert.True(inference.Success);
        var provider = inference.Groups[1].Value;

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{service.HttpPort}/") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/live")).StatusCode);
        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("# TYPE zsad_queue_depth gauge\nzsad_queue_depth{queue=\"outbox\"} 0\n", metrics);
        Assert.Contains("zsad_instances_received 0\n", metrics);
        Assert.Contains("zsad_messages_in_progress 0\n", metrics);
        // The metrics name the same provider as /health: the one the session really runs on.
        Assert.Contains($"zsad_inference_provider{{detector=\"resnet18-memory\",provider=\"{provider}\"}} 1\n", metrics);
    }

    [Fact]
    public async Task ReporterWithoutItsBroker_IsLiveButNotReady()
    {
        using var dir = new TempDir();
        var closedPort = Peers.FreePort(); // nothing listens there
        await using var service = new ZsadService(Embedded(dir, role: "reporter", broker: $"amqp://guest:guest@127.0.0.1:{closedPort}/"));
        await service.StartAsync();
        var (status, body) = await GetHealth(service);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(body.GetProperty("ready").GetBoolean());
        Assert.True(body.GetProperty("live").GetBoolean());
        var broker = body.GetProperty("checks").GetProperty("broker");
        Assert.False(broker.GetProperty("healthy").GetBoolean());
        Assert.StartsWith("rabbitmq:", broker.GetProperty("description").GetString());
        Assert.False(body.GetProperty("checks").TryGetProperty("inference", out _)); // not this process's role
    }
}
