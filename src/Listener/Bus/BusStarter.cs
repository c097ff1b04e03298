using MassTransit;
using Microsoft.Extensions.Logging;

namespace Zsad.Listener.Bus;

/// <summary>Starts a bus and keeps trying while the broker is unreachable: a role that starts before RabbitMQ (compose
/// brings them up together) waits for it instead of exiting, and the listener keeps taking instances meanwhile
/// (the outbox holds their messages).</summary>
public static class BusStarter
{
    public static async Task StartAsync(IBusControl bus, ILogger logger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                await bus.StartAsync(timeout.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("bus did not start ({Error}); retrying", ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
