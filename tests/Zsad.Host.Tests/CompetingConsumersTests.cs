using System.Globalization;
using System.Text.RegularExpressions;
using Zsad.Host.Tests.Support;

namespace Zsad.Host.Tests;

/// <summary>With RabbitMQ, several inference processes share the one inference queue: each takes at most its prefetch,
/// so two series sent together are worked on by two processes, and each still yields exactly one report.</summary>
public partial class CompetingConsumersTests
{
    [Fact]
    public async Task TwoInferenceProcesses_ShareTheQueue()
    {
        using var vhost = new PrivateVirtualHost();
        using var dir = new TempDir();
        var data = dir.Sub("data");
        var a = SyntheticSeries.Write(dir.Path, "COMPETE-A", seed: 31);
        var b = SyntheticSeries.Write(dir.Path, "COMPETE-B", seed: 32);
        string[] common = ["--data", data, "--rabbitmq", vhost.Uri, "--http-port", "0", "--quiet-s", "1"];
        string[] inferenceArgs = ["--role", "inference", "--detector", "intensity-baseline", "--normals", "phantom", "--allow-uncalibrated", "--prefetch", "1", .. common];
        using var front = ZsadProcess.Start(["--role", "listener,reporter", "--port", "0", .. common]);
        using var first = ZsadProcess.Start(inferenceArgs);
        using var second = ZsadProcess.Start(inferenceArgs);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var p in new[] { front, first, second })
            await Wait.ForAsync(async () => (await http.GetAsync($"http://127.0.0.1:{p.HttpPort}/health")).IsSuccessStatusCode ? "ready" : null,
                TimeSpan.FromSeconds(60), () => $"not ready:\n{p.Output}");

        foreach (var s in new[] { a, b })
            Peers.Run(Peers.Require("storescu", "dcmtk"), ["-aet", "MODALITY", "-aec", "ZSAD", "+sd", "+r", "127.0.0.1",
                    front.DicomPort!.Value.ToString(CultureInfo.InvariantCulture), s.SourceDirectory],
                TimeSpan.FromSeconds(60), environment: new Dictionary<string, string> { ["TCP_NODELAY"] = "1" }).EnsureSuccess("storescu");

        string Done(SyntheticSeries s) => Path.Combine(data, "reports", "cases", s.SeriesInstanceUid, "intensity-baseline", "result.json");
        await Wait.ForAsync(() => Task.FromResult(File.Exists(Done(a)) && File.Exists(Done(b)) ? "done" : null), TimeSpan.FromSeconds(90),
            () => $"both series not reported:\n{front.Output}\n----\n{first.Output}\n----\n{second.Output}");

        async Task<int> Processed(ZsadProcess p)
            => InferenceCount().Match(await http.GetStringAsync($"http://127.0.0.1:{p.HttpPort}/metrics")) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var byFirst = await Processed(first);
        var bySecond = await Processed(second);
        Assert.True(byFirst == 1 && bySecond == 1, $"inference processes worked on {byFirst} and {bySecond} series");
        Assert.Contains("zsad_series_processed_total{stage=\"report\"} 2\n", await http.GetStringAsync($"http://127.0.0.1:{front.HttpPort}/metrics"));
        Assert.Equal(4, Directory.GetFiles(Path.Combine(data, "pacs"), "*.dcm", SearchOption.AllDirectories).Length); // SEG + SR per series
    }

    [GeneratedRegex("zsad_series_processed_total\\{stage=\"inference\"\\} (\\d+)")]
    private static partial Regex InferenceCount();
}
