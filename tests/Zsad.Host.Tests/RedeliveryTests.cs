using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using Zsad.Contracts;
using Zsad.Dicom.Network;
using Zsad.Host.Configuration;
using Zsad.Host.Pipeline;
using Zsad.Host.Tests.Support;

namespace Zsad.Host.Tests;

/// <summary>Each (series, detector) yields exactly one SEG series, one map and one set of files, however often the
/// bus delivers its messages (DELIVERY GUARANTEES in the architecture brief).</summary>
public class RedeliveryTests
{
    [Fact]
    public async Task RedeliveredVolumeAndMap_YieldOneSegSeries_AndNoNewFiles()
    {
        using var dir = new TempDir();
        var series = SyntheticSeries.Write(dir.Path, "REDELIVERY", seed: 5);
        var options = new ZsadOptions
        {
            DataDirectory = dir.Sub("data"),
            // Quiet long enough that a loaded machine does not close the series between two of its instances (0.5 s split
            // this test's series in two under CI load, 2026-12-07); the service's default is 5 s.
            Listener = new ZsadOptions.ListenerSettings { Port = 0, QuietSeconds = 2 },
            Inference = new ZsadOptions.InferenceSettings { Detector = "intensity-baseline", Normals = ZsadOptions.InferenceSettings.PhantomNormals, AllowUncalibrated = true },
            Reporter = new ZsadOptions.ReporterSettings { GroundTruthDirectory = series.TruthDirectory },
            Http = new ZsadOptions.HttpSettings { Enabled = false },
        };
        await using var service = new ZsadService(options);
        var outcomes = new ConcurrentQueue<ReportOutcome>();
        var signal = new SemaphoreSlim(0);
        service.Reported += o => { outcomes.Enqueue(o); signal.Release(); };
        service.Faulted += (id, error) => Assert.Fail($"volume {id} failed: {error}");
        await service.StartAsync();

        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = service.ListenerPort, CalledAE = "ZSAD", CallingAE = "REDELIVERY" });
        Assert.All(await client.StoreFilesAsync([series.SourceDirectory]), r => Assert.True(r.IsStored, r.ToString()));
        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(60)), "no report within 60 s");
        var first = Assert.Single(outcomes);
        var pacs = Directory.GetFiles(options.PacsPath, "*.dcm", SearchOption.AllDirectories).Order().ToList();
        var stamps = pacs.ToDictionary(p => p, File.GetLastWriteTimeUtc);

        // The same VolumeReady (as the outbox sent it) and the same AnomalyMapReady (as Inference stored it), again.
        var volumeReady = JsonSerializer.Deserialize<VolumeReady>(
            JsonSerializer.Serialize(service.Listener!.Outbox.Sent().Single().Message), new JsonSerializerOptions(JsonSerializerDefaults.Web)
            { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } })!;
        var mapMarker = service.Blobs.PathFor($"maps/{first.VolumeId}/{first.Detector}.json");
        var mapReady = JsonSerializer.Deserialize<AnomalyMapReady>(File.ReadAllBytes(mapMarker), new JsonSerializerOptions(JsonSerializerDefaults.Web)
            { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } })!;
        var bus = service.Bus!;
        await bus.Publish(volumeReady, c => c.MessageId = VolumeIds.MessageIdFor(volumeReady.VolumeId));
        await bus.Publish(mapReady, c => c.MessageId = AnomalyMapReady.MessageIdFor(mapReady.VolumeId, mapReady.Detector));
        for (var i = 0; i < 2; i++)
            Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(60)), "a redelivery was not handled within 60 s");

        Assert.All(outcomes, o => Assert.Equal(first, o)); // the stored result, not a second one
        Assert.Equal(pacs, Directory.GetFiles(options.PacsPath, "*.dcm", SearchOption.AllDirectories).Order().ToList());
        Assert.All(pacs, p => Assert.Equal(stamps[p], File.GetLastWriteTimeUtc(p))); // not even rewritten
        Assert.Equal(2, pacs.Count); // SEG + summary SR
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(options.PacsPath, series.StudyInstanceUid)).Length);
        Assert.Single(Directory.GetFiles(Path.Combine(options.BlobPath, "maps", first.VolumeId), "*.nii.gz"));
        Assert.Single(Directory.GetFiles(Path.Combine(options.ReportPath, "maps")));
        Assert.NotNull(first.Dice);
        Assert.True(File.Exists(first.MetricsPath));
    }
}
