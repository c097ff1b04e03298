using System.Collections.Concurrent;
using Zsad.Listener.Outbox;

namespace Zsad.Listener.Tests.Support;

/// <summary>A transport that fails like an unreachable broker until it is switched on, and records what it took.</summary>
public sealed class FlakyPublisher : IMessagePublisher
{
    public volatile bool Available;
    public int Attempts;
    public ConcurrentQueue<(Guid MessageId, object Message)> Published { get; } = new();

    public Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Attempts);
        if (!Available)
            throw new IOException("broker unreachable (simulated)");
        Published.Enqueue((messageId, message));
        return Task.CompletedTask;
    }
}
