using Microsoft.Extensions.Logging.Abstractions;
using Zsad.Contracts;
using Zsad.Listener.Outbox;
using Zsad.Listener.Tests.Support;

namespace Zsad.Listener.Tests;

public sealed class OutboxTests
{
    private static VolumeReady Message(string volumeId) => new(VolumeIds.MessageIdFor(volumeId), volumeId, 1, VolumeOrigin.Nifti, "case",
        null, null, null, null, "MR", null, new BlobReference("volumes/x/image.nii.gz", "application/x-nifti+gzip", 10, new string('0', 64)),
        null, null, [1, 2, 3], DateTimeOffset.UnixEpoch);

    [Fact]
    public void EnqueueOfAMessageIdAlreadyPendingOrSentIsRefused()
    {
        using var tmp = new TempDir();
        var outbox = new FileOutbox(tmp.Path);
        var m = Message("v1");
        Assert.True(outbox.Enqueue(m.CorrelationId, m));
        Assert.False(outbox.Enqueue(m.CorrelationId, m));
        outbox.MarkSent(m.CorrelationId);
        Assert.False(outbox.Enqueue(m.CorrelationId, m));
        Assert.Empty(outbox.Pending());
        Assert.Single(outbox.Sent());
    }

    [Fact]
    public void PendingMessagesSurviveANewOutboxOnTheSameFolder()
    {
        using var tmp = new TempDir();
        var m = Message("v2");
        new FileOutbox(tmp.Path).Enqueue(m.CorrelationId, m);
        var entry = Assert.Single(new FileOutbox(tmp.Path).Pending());
        Assert.Equal(m with { }, (VolumeReady)FileOutbox.Materialize(entry).Message, new VolumeReadyComparer());
    }

    [Fact]
    public async Task BrokerDownDelaysMessagesOnDiskAndTheyGoOutOnceWhenItReturns()
    {
        using var tmp = new TempDir();
        var outbox = new FileOutbox(tmp.Path);
        var publisher = new FlakyPublisher();
        var dispatcher = new OutboxDispatcher(outbox, publisher, NullLogger<OutboxDispatcher>.Instance, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = dispatcher.RunAsync(cts.Token);

        var messages = Enumerable.Range(0, 3).Select(i => Message($"down-{i}")).ToList();
        foreach (var m in messages)
            outbox.Enqueue(m.CorrelationId, m);
        await Wait.UntilAsync(() => publisher.Attempts >= 3, TimeSpan.FromSeconds(10), "publish attempts against the down broker");
        Assert.Equal(3, outbox.Pending().Count);
        Assert.Empty(publisher.Published);

        publisher.Available = true;
        await Wait.UntilAsync(() => outbox.Pending().Count == 0, TimeSpan.FromSeconds(10), "the outbox to drain");
        await Task.Delay(500);
        await cts.CancelAsync();
        await run;

        Assert.Equal(messages.Select(m => m.CorrelationId).Order(), publisher.Published.Select(p => p.MessageId).Order());
        Assert.Equal(3, outbox.Sent().Count);
    }

    [Fact]
    public void AnEntryNamingATypeOutsideTheContractsIsRefused()
    {
        var entry = new OutboxEntry(Guid.NewGuid(), "System.IO.FileInfo", DateTimeOffset.UtcNow, System.Text.Json.JsonDocument.Parse("{}").RootElement);
        var ex = Assert.Throws<InvalidDataException>(() => FileOutbox.Materialize(entry));
        Assert.Contains("not a Zsad contract", ex.Message);
    }

    private sealed class VolumeReadyComparer : IEqualityComparer<VolumeReady>
    {
        public bool Equals(VolumeReady? x, VolumeReady? y)
            => x is not null && y is not null && x with { Shape = [] } == y with { Shape = [] } && x.Shape.SequenceEqual(y.Shape);

        public int GetHashCode(VolumeReady obj) => obj.VolumeId.GetHashCode(StringComparison.Ordinal);
    }
}
