namespace Zsad.Listener;

/// <summary>Runs the Listener role until cancelled (the `zsad serve --role listener` entry point).</summary>
public static class ListenerHost
{
    /// <param name="started">Called once the SCP listens (e.g. to report the bound port when <see cref="ListenerOptions.Port"/> is 0).</param>
    public static async Task<int> RunAsync(ListenerOptions options, CancellationToken cancellationToken, Action<ListenerService>? started = null)
    {
        await using var service = new ListenerService(options);
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
