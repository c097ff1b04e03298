using System.Text.Json;

namespace Zsad.Listener.Outbox;

/// <summary>One message waiting on disk (or already sent): the message type is the contract's full name, resolved
/// only inside Zsad.Contracts so a file on disk can never make the dispatcher load an arbitrary type.</summary>
public sealed record OutboxEntry(Guid MessageId, string MessageType, DateTimeOffset EnqueuedAt, JsonElement Message);
