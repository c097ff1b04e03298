using System.Collections.Concurrent;
using System.Net;
using MassTransit;
using Zsad.Contracts;
using Zsad.Listener.Bus;
using Zsad.Listener.Tests.Support;

namespace Zsad.Listener.Tests;

/// <summary>Against a real RabbitMQ (Testcontainers, or the broker named by ZSAD_RABBITMQ). Each test listens on its
/// own queue and looks only at its own series, since other tests may publish VolumeReady at the same time.</summary>
public sealed class RabbitMqTests
{
    // These tests are about the bus, not the series assembly: a quiet time well above storescu's gaps between instances
    // on a loaded machine keeps each series one generation (at 1 s, a CI run once split one in two).
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ASeriesReachesAConsumerOnRabbitMqExactlyOnce()
    {
        var broker = await RabbitMqBroker.UriAsync();
        using var tmp = new TempDir();
        var files = TestSeries.Write(tmp.Sub("series"), slices: 5);
        var seriesUid = SeriesUid(files[0]);
        var consumed = new ConcurrentQueue<VolumeReady>();
        await using var consumer = await StartConsumerAsync(broker, consumed);
        await using var listener = await InProcessListener.StartAsync(tmp.Sub("data"), Quiet, new ConcurrentQueue<VolumeReady>(), rabbitMqUri: broker);

        Storescu.Send(listener.Port, files);
        await Wait.UntilAsync(() => consumed.Any(m => m.SeriesInstanceUid == seriesUid), TimeSpan.FromSeconds(40), "the VolumeReady on RabbitMQ");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var message = Assert.Single(consumed, m => m.SeriesInstanceUid == seriesUid);
        Assert.Equal(5, message.Shape[2]);
        Assert.NotNull(message.SourceInstances);
    }

    [Fact]
    public async Task BrokerStoppedDuringIntakeLosesNoMessage()
    {
        var broker = await RabbitMqBroker.UriAsync();
        var brokerUri = ZsadBus.ParseBrokerUri(broker);
        var brokerEndPoint = new IPEndPoint((await Dns.GetHostAddressesAsync(brokerUri.Host))[0], brokerUri.IsDefaultPort || brokerUri.Port <= 0 ? 5672 : brokerUri.Port);
        await using var proxy = new TcpProxy(brokerEndPoint, TcpProxy.FreePort());
        proxy.Start();
        var viaProxy = new UriBuilder(brokerUri) { Host = "127.0.0.1", Port = proxy.Port }.Uri.ToString();

        using var tmp = new TempDir();
        var before = TestSeries.Write(tmp.Sub("before"), slices: 4, seed: 1);
        var during = TestSeries.Write(tmp.Sub("during"), slices: 4, seed: 2);
        var consumed = new ConcurrentQueue<VolumeReady>();
        await using var consumer = await StartConsumerAsync(broker, consumed);
        await using var listener = await InProcessListener.StartAsync(tmp.Sub("data"), Quiet, new ConcurrentQueue<VolumeReady>(), rabbitMqUri: viaProxy);

        Storescu.Send(listener.Port, before);
        await Wait.UntilAsync(() => consumed.Any(m => m.SeriesInstanceUid == SeriesUid(before[0])), TimeSpan.FromSeconds(40), "the first series on RabbitMQ");

        proxy.Stop(); // the broker goes away (as far as the listener can tell) while the next series arrives
        Storescu.Send(listener.Port, during);
        await Wait.UntilAsync(() => listener.Outbox.Pending().Count == 1, TimeSpan.FromSeconds(30), "the second series' message to wait in the outbox");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(listener.Outbox.Pending());
        Assert.DoesNotContain(consumed, m => m.SeriesInstanceUid == SeriesUid(during[0]));

        proxy.Start(); // the broker is back
        await Wait.UntilAsync(() => consumed.Any(m => m.SeriesInstanceUid == SeriesUid(during[0])), TimeSpan.FromSeconds(60), "the delayed message after the outage");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Single(consumed, m => m.SeriesInstanceUid == SeriesUid(before[0]));
        Assert.Single(consumed, m => m.SeriesInstanceUid == SeriesUid(during[0]));
        Assert.Empty(listener.Outbox.Pending());
    }

    private static string SeriesUid(string file) => Zsad.Dicom.DicomFile.Open(file).Dataset.GetRequiredString(Zsad.Dicom.DicomTags.SeriesInstanceUID);

    private static async Task<AsyncBus> StartConsumerAsync(string broker, ConcurrentQueue<VolumeReady> consumed)
    {
        var bus = ZsadBus.Create(broker, cfg => cfg.ReceiveEndpoint("zsad-test-" + Guid.NewGuid().ToString("N")[..12], e =>
        {
            if (e is MassTransit.IRabbitMqReceiveEndpointConfigurator rabbit)
                rabbit.AutoDelete = true;
            e.Handler<VolumeReady>(context =>
            {
                consumed.Enqueue(context.Message);
                return Task.CompletedTask;
            });
        }));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(timeout.Token);
        return new AsyncBus(bus);
    }

    private sealed class AsyncBus(IBusControl bus) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await bus.StopAsync(timeout.Token);
        }
    }
}
