using Microsoft.Extensions.Logging;
using Zsad.Listener.Commands;

// A Listener in its own process, so tests can kill it (SIGKILL, no clean shutdown) and start it again on the same data.
// Takes the options of `zsad serve --role listener` (ListenerCommands.ServeUsage), so the tests exercise that parser.
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
return await ListenerCommands.ServeAsync(args, loggers, stop.Token, service =>
{
    Console.Out.WriteLine($"LISTENING {service.Port}");
    Console.Out.Flush();
});
