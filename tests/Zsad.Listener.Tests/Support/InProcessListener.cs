using System.Collections.Concurrent;
using MassTransit;
using Zsad.Contracts;
using Zsad.Listener.Filtering;
using Zsad.Listener.Intake;

namespace Zsad.Listener.Tests.Support;

/// <summary>A ListenerService on an in-memory bus with a consumer that records every VolumeReady it receives.</summary>
public static class InProcessListener
{
    public static async Task<ListenerService> StartAsync(string dataDirectory, TimeSpan quietTime, ConcurrentQueue<VolumeReady> received,
        LateInstancePolicy late = LateInstancePolicy.Reprocess, SeriesFilterOptions? filter = null, string? rabbitMqUri = null)
    {
        var service = new ListenerService(new ListenerOptions
        {
            DataDirectory = dataDirectory,
            Port = 0,
            QuietTime = quietTime,
            LateInstances = late,
            Filter = filter ?? new SeriesFilterOptions(),
            RabbitMqUri = rabbitMqUri, // never the environment's broker unless a test asks for it
            PublishTimeout = TimeSpan.FromSeconds(3),
        }, cfg => cfg.ReceiveEndpoint("zsad-test-volume-ready-" + Guid.NewGuid().ToString("N")[..8], e => e.Handler<VolumeReady>(context =>
        {
            received.Enqueue(context.Message);
            return Task.CompletedTask;
        })));
        await service.StartAsync();
        return service;
    }
}
