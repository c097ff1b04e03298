using System.Text.Json;
using Zsad.Contracts;
using Zsad.Dicom;
using Zsad.Listener.Intake;
using Zsad.Listener.Outbox;
using Zsad.Listener.Tests.Support;

namespace Zsad.Listener.Tests;

/// <summary>The listener process is SIGKILLed mid-series and started again on the same data: every instance that was
/// acknowledged is on disk, and the series is still published exactly once.</summary>
public sealed class CrashRecoveryTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task KilledAfterSomeInstancesWereAckedKeepsThemAndTheSeriesIsProcessedOnce()
    {
        using var tmp = new TempDir();
        var files = TestSeries.Write(tmp.Sub("series"), slices: 10);
        var data = tmp.Sub("data");

        using (var first = await ListenerProcess.StartAsync(data, Quiet))
        {
            Storescu.Send(first.Port, files.Take(6)); // storescu returns after all six C-STORE-RSPs (success)
            first.Kill(); // well within the quiet time: nothing was processed yet
        }
        var intake = new IntakeStore(Path.Combine(data, "intake"));
        var afterCrash = Assert.Single(intake.Scan());
        var acked = files.Take(6).Select(SopInstanceUid).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(acked, intake.InstancePaths(afterCrash.Directory).Select(p => Path.GetFileNameWithoutExtension(p)).ToList());
        Assert.Empty(afterCrash.Outcomes);
        foreach (var path in intake.InstancePaths(afterCrash.Directory))
            Assert.True(DicomFile.Open(path).Dataset.Contains(DicomTags.PixelData), $"{path} is incomplete");

        using (var second = await ListenerProcess.StartAsync(data, Quiet))
        {
            // The sender retries the whole series (duplicates of the acked six) plus the rest.
            Storescu.Send(second.Port, files);
            var outbox = new FileOutbox(Path.Combine(data, "outbox"));
            await Wait.UntilAsync(() => outbox.Sent().Count >= 1, TimeSpan.FromSeconds(40), "the series' VolumeReady to be published\n" + second.Log);
            await Task.Delay(Quiet + TimeSpan.FromSeconds(1));
            second.Kill();
        }

        // A third start finds the series processed and publishes nothing more.
        using (var third = await ListenerProcess.StartAsync(data, Quiet))
        {
            await Task.Delay(Quiet + TimeSpan.FromSeconds(2));
            third.Kill();
        }

        var outboxAfter = new FileOutbox(Path.Combine(data, "outbox"));
        Assert.Empty(outboxAfter.Pending());
        var entry = Assert.Single(outboxAfter.Sent());
        var message = (VolumeReady)FileOutbox.Materialize(entry).Message;
        Assert.Equal(10, message.Shape[2]);
        var stored = Assert.Single(intake.Scan());
        Assert.Equal(10, stored.InstanceCount);
        var outcome = Assert.Single(stored.Outcomes);
        Assert.Equal(SeriesOutcomeStatus.Published, outcome.Status);
        Assert.Equal(message.VolumeId, outcome.VolumeId);
    }

    [Fact]
    public async Task KilledAfterTheWholeSeriesWasAckedResumesAndPublishesOnceWithoutAResend()
    {
        using var tmp = new TempDir();
        var files = TestSeries.Write(tmp.Sub("series"), slices: 6);
        var data = tmp.Sub("data");
        using (var first = await ListenerProcess.StartAsync(data, Quiet))
        {
            Storescu.Send(first.Port, files);
            first.Kill();
        }
        var outbox = new FileOutbox(Path.Combine(data, "outbox"));
        Assert.Empty(outbox.Pending());
        Assert.Empty(outbox.Sent());

        using (var second = await ListenerProcess.StartAsync(data, Quiet))
        {
            await Wait.UntilAsync(() => outbox.Sent().Count >= 1, TimeSpan.FromSeconds(40), "the resumed series to be published\n" + second.Log);
            Assert.Contains("resumed from the intake store", second.Log);
            await Task.Delay(Quiet + TimeSpan.FromSeconds(1));
        }
        var message = (VolumeReady)FileOutbox.Materialize(Assert.Single(outbox.Sent())).Message;
        Assert.Equal(6, message.Shape[2]);
        var instances = JsonSerializer.Deserialize<SourceInstanceList>(File.ReadAllBytes(
            Path.Combine(data, "blobs", message.SourceInstances!.Key)), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(files.Select(SopInstanceUid).ToList(), instances.Slices.Select(s => s.SopInstanceUid).ToList());
    }

    private static string SopInstanceUid(string path) => DicomFile.Open(path).Dataset.GetRequiredString(DicomTags.SOPInstanceUID);
}
