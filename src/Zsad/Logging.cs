using Microsoft.Extensions.Logging;

namespace Zsad.Cli;

/// <summary>Console logging for the long-running roles: structured lines on stderr, MassTransit's chatter at warning.</summary>
public static class Logging
{
    public static ILoggerFactory Create() => LoggerFactory.Create(b => b
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace) // stdout stays the command's output
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
        .AddFilter("MassTransit", LogLevel.Warning)
        .SetMinimumLevel(LogLevel.Information));
}
