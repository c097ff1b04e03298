using Microsoft.Extensions.Logging;
using Zsad.Listener;
using Zsad.Listener.Commands;

// A Listener in its own process, so tests can kill it (SIGKILL, no clean shutdown) and start it again on the same data.
// Takes the listener options of ListenerCommands.ServeUsage, so the tests exercise that parser.
// Prints "LISTENING <port>" on stdout once the SCP accepts associations; logs go to stderr.
using var loggers = LoggerFactory.Create(b => b
    .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
    .AddSimpleConsole(o => o.SingleLine = true)
    .AddFilter("MassTransit", LogLevel.Warning)
    .SetMinimumLevel(LogLevel.Information));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
await using var service = new ListenerService(ListenerCommands.ParseServeOptions(args, loggers));
await service.StartAsync(stop.Token);
Console.Out.WriteLine($"LISTENING {service.Port}");
Console.Out.Flush();
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // the normal way to stop
}
return 0;
