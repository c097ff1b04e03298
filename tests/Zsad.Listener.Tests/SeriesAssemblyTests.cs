using System.Collections.Concurrent;
using System.Text.Json;
using Zsad.Contracts;
using Zsad.Dicom;
using Zsad.Listener.Filtering;
using Zsad.Listener.Intake;
using Zsad.Listener.Tests.Support;

namespace Zsad.Listener.Tests;

/// <summary>Series assembly against dcmtk's storescu: quiet time, several associations, duplicates, filtering.</summary>
public sealed class SeriesAssemblyTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ThreeAssociationsWithPausesShorterThanQuietTimeYieldOneVolumeReady()
    {
        using var tmp = new TempDir();
        var files = TestSeries.Write(tmp.Sub("series"), slices: 12);
        var received = new ConcurrentQueue<VolumeReady>();
        await using var listener = await InProcessListener.StartAsync(tmp.Sub("data"), TimeSpan.FromSeconds(4), received);

        foreach (var chunk in files.Chunk(4))
        {
            Storescu.Send(listener.Port, chunk);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        await Wait.UntilAsync(() => !received.IsEmpty, Settle, "the VolumeReady of the series");
        await Task.Delay(TimeSpan.FromSeconds(5)); // a second message would come after another quiet time

        var message = Assert.Single(received);
        Assert.Equal(1, message.Generation);
        Assert.Equal(VolumeOrigin.DicomNetwork, message.Origin);
        Assert.Equal([24, 24, 12], message.Shape);
        Assert.Equal("ZSAD", message.CalledAETitle);
        Assert.Equal(VolumeIds.MessageIdFor(message.VolumeId), message.CorrelationId);

        // The claim-checked instance list names the source of every slice in k order (the files were written in k order).
        var list = JsonSerializer.Deserialize<SourceInstanceList>(await listener.Blobs.GetAsync(message.SourceInstances!), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var expected = files.Select(f => DicomFile.Open(f).Dataset.GetRequiredString(DicomTags.SOPInstanceUID)).ToList();
        Assert.Equal(expected, list.Slices.Select(s => s.SopInstanceUid).ToList());
        Assert.Equal(message.SeriesInstanceUid, list.SeriesInstanceUid);

        var volume = Zsad.Imaging.Nifti.NiftiReader.Read(await listener.Blobs.GetAsync(message.Volume)).Volume;
        Assert.Equal((24, 24, 12), (volume.SizeX, volume.SizeY, volume.SizeZ));
    }

    /// <summary>A retrieve's end closes its series at once (CloseSoon), with no quiet time to wait for: a PACS replay
    /// uses a quiet time it never reaches, so a retrieve that breaks off never closes a half series.</summary>
    [Fact]
    public async Task CloseSoon_ClosesAnOpenSeriesWithoutItsQuietTime()
    {
        using var tmp = new TempDir();
        var files = TestSeries.Write(tmp.Sub("series"), slices: 6);
        var received = new ConcurrentQueue<VolumeReady>();
        await using var listener = await InProcessListener.StartAsync(tmp.Sub("data"), TimeSpan.FromHours(1), received);
        Storescu.Send(listener.Port, files);
        var first = DicomFile.Open(files[0]).Dataset;
        var key = new SeriesKey("ZSAD", first.GetRequiredString(DicomTags.StudyInstanceUID), first.GetRequiredString(DicomTags.SeriesInstanceUID));
        Assert.False(listener.Assembler.CloseSoon(key with { SeriesInstanceUid = "1.2.3" })); // not open: nothing to close
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(received); // an hour of quiet time is far off

        Assert.True(listener.Assembler.CloseSoon(key));
        await Wait.UntilAsync(() => !received.IsEmpty, Settle, "the VolumeReady of the series closed by CloseSoon");
        Assert.Equal(6, Assert.Single(received).Shape[2]);
        Assert.False(listener.Assembler.CloseSoon(key)); // closed now
    }

    /// <summary>The behaviour chosen for pauses longer than the quiet time (LateInstancePolicy.Reprocess, the default):
    /// each pause closes the series, and each later closure publishes a new generation built from all instances so far.</summary>
    [Fact]
    public async Task PausesLongerThanQuietTimeReprocessTheSeriesAsNewGenerations()
    {
        using var tmp = new TempDir();
        var files = TestSeries.Write(tmp.Sub("series"), slices: 9);
        var received = new ConcurrentQueue<VolumeReady>();
        await using var listener = await InProcessListener.StartAsync(tmp.Sub("data"), TimeSpan.FromSeconds(1), received);

        var sent = 0;
        foreach (var chunk in files.Chunk(3))
        {
            Storescu.Send(listener.Port, chunk);
            sent++;
            var count = sent;
            await Wait.UntilAsync(() => received.Count >= count, Settle, $"VolumeReady number {count}");
        }
        await Task.Delay(TimeSpan.FromSeconds(2));

        var messages = received.OrderBy(m => m.Generation).ToList();
        Assert.Equal([1, 2, 3], messages.Select(m => m.Generation));
        Assert.Equal([3, 6, 9], messages.Select(m => m.Shape[2]));
        Assert.Single(messages.Select(m => m.SeriesInstanceUid).Distinct());
        Assert.Equal(3, messages.Select(m => m.VolumeId).Distinct().Count());
    }

    [Fact]
    public async Task PausesLongerThanQuietTimeWithKeepPolicyPublishOnceAndKeepLateInstances()
    {
        using var tmp = new TempDir();
        var files = TestSeries.Write(tmp.Sub("series"), slices: 6);
        var received = new ConcurrentQueue<VolumeReady>();
        await using var listener = await InProcessListener.StartAsync(tmp.Sub("data"), TimeSpan.FromSeconds(1), received, LateInstancePolicy.Keep);

        Storescu.Send(listener.Port, files.Take(3));
        await Wait.UntilAsync(() => !received.IsEmpty, Settle, "the first VolumeReady");
        Storescu.Send(listener.Port, files.Skip(3));
        await Task.Delay(TimeSpan.FromSeconds(3));

        var message = Assert.Single(received);
        Assert.Equal(3, message.Shape[2]);
        var stored = Assert.Single(listener.Store.Scan());
        Assert.Equal(6, stored.InstanceCount); // late instances are acked and kept, never dropped
    }

    [Fact]
    public async Task DuplicateSopInstanceUidsAreStoredOnceAndPublishedOnce()
    {
        using var tmp = new TempDir();
        var files = TestSeries.Write(tmp.Sub("series"), slices: 5);
        var received = new ConcurrentQueue<VolumeReady>();
        await using var listener = await InProcessListener.StartAsync(tmp.Sub("data"), TimeSpan.FromSeconds(2), received);

        Storescu.Send(listener.Port, files);
        Storescu.Send(listener.Port, files); // a resend, e.g. after a lost response
        await Wait.UntilAsync(() => !received.IsEmpty, Settle, "the VolumeReady");
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(5, Assert.Single(received).Shape[2]);
        Assert.Equal(5, Assert.Single(listener.Store.Scan()).InstanceCount);
    }

    [Fact]
    public async Task SeriesRejectedByTheFilterIsKeptAndLoggedAsFilteredNotPublished()
    {
        using var tmp = new TempDir();
        var files = TestSeries.Write(tmp.Sub("series"), slices: 4, description: "localizer");
        var received = new ConcurrentQueue<VolumeReady>();
        var filter = new SeriesFilterOptions { SeriesDescriptionPattern = "(?i)t2" };
        await using var listener = await InProcessListener.StartAsync(tmp.Sub("data"), TimeSpan.FromMilliseconds(500), received, filter: filter);

        Storescu.Send(listener.Port, files);
        await Wait.UntilAsync(() => listener.Store.Scan().Single().Outcomes.Count == 1, Settle, "the series outcome");

        var stored = listener.Store.Scan().Single();
        Assert.Equal(SeriesOutcomeStatus.Filtered, stored.Outcomes[0].Status);
        Assert.Contains("series description", stored.Outcomes[0].Reason);
        Assert.Equal(4, stored.InstanceCount);
        Assert.Empty(listener.Outbox.Pending());
        Assert.Empty(listener.Outbox.Sent());
        Assert.Empty(received);
    }
}
