using System.Collections.Concurrent;
using Zsad.Listener.Outbox;

namespace Zsad.Reliability.Tests.Support;

/// <summary>Stands in for the bus: records every message the outbox dispatches, so a test counts VolumeReady exactly.</summary>
public sealed class RecordingPublisher : IMessagePublisher
{
    public ConcurrentQueue<object> Messages { get; } = new();

    public Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken cancellationToken)
    {
        Messages.Enqueue(message);
        return Task.CompletedTask;
    }
}
