namespace Zsad.Listener.Outbox;

/// <summary>The transport the outbox dispatcher hands messages to; the bus (MassTransit) lives behind it, so the
/// outbox and its tests know nothing about brokers. Must throw when the message was not accepted by the broker.</summary>
public interface IMessagePublisher
{
    Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken cancellationToken);
}
