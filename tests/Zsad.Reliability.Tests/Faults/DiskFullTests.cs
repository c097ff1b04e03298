using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Listener;
using Zsad.Reliability.Tests.Support;

namespace Zsad.Reliability.Tests.Faults;

/// <summary>The intake store on a 2 MiB tmpfs that fills mid-series: C-STORE answers A700 (out of resources), no
/// half-written or temporary file is left under a final name, everything acknowledged before is intact, and once space
/// is freed a new association stores again.</summary>
public sealed class DiskFullTests
{
    [Fact]
    public async Task FullIntakeStoreAnswersA700KeepsAcknowledgedInstancesAndRecovers()
    {
        using var tmp = new TempDir();
        using var disk = new SmallTmpfs(tmp.File("intake"), 2);
        // Leave room for a dozen 32 KiB instances, so the disk fills part-way through one association.
        var filler = Path.Combine(disk.Path, "filler");
        File.WriteAllBytes(filler, new byte[1600 * 1024]);

        var publisher = new RecordingPublisher();
        await using var listener = new ListenerService(new ListenerOptions
        {
            DataDirectory = tmp.Sub("data"), IntakeDirectory = disk.Path, Port = 0, QuietTime = TimeSpan.FromSeconds(30), RabbitMqUri = null,
        }, publisher: publisher);
        await listener.StartAsync();
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = listener.Port, CalledAE = "ZSAD", MaxRetries = 0 });

        var files = Instances.Series(30, size: 128);
        var results = await client.StoreAsync(files).WaitAsync(TimeSpan.FromSeconds(60));
        var stored = results.TakeWhile(r => r.IsStored).Count();
        Assert.True(stored is > 0 and < 30, $"expected the disk to fill part-way, stored {stored} of 30: {string.Join("; ", results)}");
        Assert.All(results.Skip(stored), r => Assert.Equal(DicomStatus.OutOfResources, r.Status));

        var onDisk = Directory.EnumerateFiles(disk.Path, "*", SearchOption.AllDirectories).Where(p => p != filler).ToList();
        Assert.DoesNotContain(onDisk, p => p.EndsWith(".tmp", StringComparison.Ordinal));
        var instances = onDisk.Where(p => p.EndsWith(".dcm", StringComparison.Ordinal)).ToList();
        Assert.Equal(stored, instances.Count);
        for (var i = 0; i < stored; i++)
        {
            var uid = files[i].Dataset.GetRequiredString(DicomTags.SOPInstanceUID);
            var path = Assert.Single(instances, p => Path.GetFileName(p) == uid + ".dcm");
            var back = DicomFile.Open(path);
            Assert.True(back.Dataset.GetBytes(DicomTags.PixelData).Span.SequenceEqual(files[i].Dataset.GetBytes(DicomTags.PixelData).Span), $"{uid} is corrupt");
        }

        // Space freed: the refused instances are stored by a new association.
        File.Delete(filler);
        var retry = await client.StoreAsync(files.Skip(stored)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(retry, r => Assert.True(r.IsStored, r.ToString()));
        Assert.Equal(30, Directory.EnumerateFiles(disk.Path, "*.dcm", SearchOption.AllDirectories).Count());
        await listener.StopAsync();
    }

    /// <summary>The disk fills after the instances are stored but before the series closes: its outcome cannot be
    /// written, so it is not lost and the assembler keeps running; once space is freed it closes exactly once.</summary>
    [Fact]
    public async Task SeriesClosingOnAFullDiskIsRetriedAndProcessedOnceSpaceIsFreed()
    {
        using var tmp = new TempDir();
        using var disk = new SmallTmpfs(tmp.File("intake"), 2);
        var publisher = new RecordingPublisher();
        await using var listener = new ListenerService(new ListenerOptions
        {
            DataDirectory = tmp.Sub("data"), IntakeDirectory = disk.Path, Port = 0, QuietTime = TimeSpan.FromSeconds(1), RabbitMqUri = null,
        }, publisher: publisher);
        await listener.StartAsync();
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = listener.Port, CalledAE = "ZSAD", MaxRetries = 0 });
        var results = await client.StoreAsync(Instances.Series(4)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));

        var filler = Path.Combine(disk.Path, "filler");
        using (var fill = new FileStream(filler, FileMode.CreateNew))
        {
            var block = new byte[64 * 1024];
            try
            {
                for (var i = 0; i < 64; i++)
                    fill.Write(block);
            }
            catch (IOException)
            {
                // full: that is the point
            }
        }
        await Task.Delay(TimeSpan.FromSeconds(3)); // the series closes and fails to record its outcome, maybe twice
        Assert.All(listener.Store.Scan(), s => Assert.Empty(s.Outcomes));

        File.Delete(filler);
        await Instances.UntilAsync(() => listener.Store.Scan().Any(s => s.Outcomes.Count > 0), TimeSpan.FromSeconds(20), "the series' outcome after space was freed");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var outcome = Assert.Single(Assert.Single(listener.Store.Scan()).Outcomes);
        Assert.Equal(Zsad.Listener.Intake.SeriesOutcomeStatus.Published, outcome.Status);
        await Instances.UntilAsync(() => !publisher.Messages.IsEmpty, TimeSpan.FromSeconds(20), "the VolumeReady");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(publisher.Messages);
        await listener.StopAsync();
    }
}
