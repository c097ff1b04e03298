using Microsoft.Extensions.Logging;

namespace Zsad.Listener.Outbox;

/// <summary>Publishes what the outbox holds, oldest first. A failed publish (broker down, timeout) leaves the message
/// on disk and retries with backoff, so an outage delays messages and never drops them. A crash between the broker's
/// confirm and the move to sent/ publishes that one message again: consumers recognise it by its message id.</summary>
public sealed class OutboxDispatcher(FileOutbox outbox, IMessagePublisher publisher, ILogger<OutboxDispatcher> logger,
    TimeSpan? publishTimeout = null, TimeSpan? maxBackoff = null, Action<string, TimeSpan>? observeStage = null)
{
    /// <summary>Enqueued to confirmed by the broker (outage retries included).</summary>
    public const string PublishStage = "volume_publish";

    private readonly TimeSpan _publishTimeout = publishTimeout ?? TimeSpan.FromSeconds(10);
    private readonly TimeSpan _maxBackoff = maxBackoff ?? TimeSpan.FromSeconds(15);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!cancellationToken.IsCancellationRequested)
        {
            var failed = false;
            try
            {
                foreach (var entry in outbox.Pending())
                {
                    var (message, type) = FileOutbox.Materialize(entry);
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(_publishTimeout);
                    await publisher.PublishAsync(message, type, entry.MessageId, timeout.Token).ConfigureAwait(false);
                    outbox.MarkSent(entry.MessageId);
                    observeStage?.Invoke(PublishStage, DateTimeOffset.UtcNow - entry.EnqueuedAt);
                    logger.LogInformation("published {MessageType} {MessageId}", type.Name, entry.MessageId);
                    backoff = TimeSpan.FromMilliseconds(250);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failed = true;
                logger.LogWarning("publishing failed ({Error}); {Pending} message(s) wait in the outbox, retrying in {Backoff}",
                    ex.Message, outbox.Pending().Count, backoff);
            }
            try
            {
                if (failed)
                {
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _maxBackoff.Ticks));
                }
                else
                {
                    await outbox.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
