using Microsoft.Extensions.Logging;
using Zsad.Host.Configuration;

namespace Zsad.Host;

/// <summary>`zsad serve`: starts the configured roles and runs until cancelled (SIGINT/SIGTERM in the CLI).</summary>
public static class ServeHost
{
    /// <param name="started">Called once every role listens (tests read the bound ports from it).</param>
    public static async Task<int> RunAsync(ZsadOptions options, ILoggerFactory loggers, CancellationToken cancellationToken, Action<ZsadService>? started = null)
    {
        await using var service = new ZsadService(options, loggers);
        await service.StartAsync(cancellationToken).ConfigureAwait(false);
        started?.Invoke(service);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the normal way to stop
        }
        return 0;
    }
}
