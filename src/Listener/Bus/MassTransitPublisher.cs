using MassTransit;
using Zsad.Listener.Outbox;

namespace Zsad.Listener.Bus;

/// <summary>Hands outbox messages to MassTransit. With RabbitMQ, Publish completes after the broker's publisher
/// confirm, and while the broker is unreachable it waits for the connection until the dispatcher's timeout cancels it,
/// which leaves the message in the outbox.</summary>
public sealed class MassTransitPublisher(IBus bus) : IMessagePublisher
{
    public Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken cancellationToken)
        => bus.Publish(message, messageType, Pipe.Execute<PublishContext>(context =>
        {
            context.MessageId = messageId;
            context.CorrelationId = messageId;
            context.Durable = true;
        }), cancellationToken);
}
