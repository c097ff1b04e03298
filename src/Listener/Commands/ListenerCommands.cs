using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Zsad.Imaging;
using Zsad.Listener.Filtering;
using Zsad.Listener.Import;
using Zsad.Listener.Intake;
using Zsad.Listener.Outbox;
using Zsad.Listener.Storage;
using Zsad.Listener.Volumes;

namespace Zsad.Listener.Commands;

/// <summary>The listener-only host's options (tests/Zsad.Listener.TestHost, which the load tests run as its own
/// process; `zsad serve` takes the same filters as src/Host settings) and the handler of `zsad import`. Usage errors throw
/// <see cref="ArgumentException"/> naming the option.</summary>
public static class ListenerCommands
{
    public const string ServeUsage = """
        serve --role listener --data DIR [--port 11112] [--aet ZSAD] [--bind 127.0.0.1] [--allow-calling AE,...]
              [--quiet-s 5] [--late reprocess|keep] [--modality MR,...|any] [--sop-class UID,...|any]
              [--description REGEX] [--plane axial,coronal,sagittal] [--exclude-image-type LOCALIZER,DERIVED,...|none]
              [--rabbitmq amqp://...] [--no-fsync]
              (broker also from ZSAD_RABBITMQ; in-memory bus when neither is given)
        """;

    /// <summary>Parses the options of `serve --role listener` (the arguments after the role).</summary>
    public static ListenerOptions ParseServeOptions(IReadOnlyList<string> args, ILoggerFactory? loggers = null)
    {
        var values = Parse(args, ["no-fsync"], out var positional);
        if (positional.Count > 0)
            throw new ArgumentException($"unexpected argument '{positional[0]}'");
        string? Get(string key) => values.TryGetValue(key, out var v) ? v : null;
        var filter = new SeriesFilterOptions();
        if (Get("modality") is { } modality)
            filter = filter with { Modalities = List(modality) };
        if (Get("sop-class") is { } sopClass)
            filter = filter with { SopClasses = List(sopClass) };
        if (Get("exclude-image-type") is { } excluded)
            filter = filter with { ExcludedImageTypes = excluded.Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : List(excluded) };
        if (Get("description") is { } description)
            filter = filter with { SeriesDescriptionPattern = description };
        if (Get("plane") is { } plane)
            filter = filter with { Orientations = List(plane).Select(p => Enum.TryParse<AnatomicalPlane>(p, ignoreCase: true, out var v) ? v
                : throw new ArgumentException($"--plane: '{p}' is not axial, coronal or sagittal")).ToList() };
        var options = new ListenerOptions
        {
            DataDirectory = Get("data") ?? throw new ArgumentException("--data DIR is required"),
            Port = Get("port") is { } port ? ParseInt("port", port) : 11112,
            AETitle = Get("aet") ?? "ZSAD",
            BindAddress = Get("bind") is { } bind ? (IPAddress.TryParse(bind, out var ip) ? ip : throw new ArgumentException($"--bind: '{bind}' is not an IP address")) : IPAddress.Loopback,
            AllowedCallingAETitles = Get("allow-calling") is { } allowed ? List(allowed) : null,
            QuietTime = Get("quiet-s") is { } quiet ? TimeSpan.FromSeconds(double.TryParse(quiet, NumberStyles.Float, CultureInfo.InvariantCulture, out var q) ? q
                : throw new ArgumentException($"--quiet-s: '{quiet}' is not a number of seconds")) : TimeSpan.FromSeconds(5),
            LateInstances = Get("late") is { } late ? (Enum.TryParse<LateInstancePolicy>(late, ignoreCase: true, out var l) ? l
                : throw new ArgumentException($"--late: '{late}' is not reprocess or keep")) : LateInstancePolicy.Reprocess,
            Filter = filter,
            RabbitMqUri = Get("rabbitmq") ?? (Environment.GetEnvironmentVariable(Bus.ZsadBus.RabbitMqVariable) is { Length: > 0 } env ? env : null),
            FlushToDisk = !values.ContainsKey("no-fsync"),
            LoggerFactory = loggers,
        };
        options.Validate();
        return options;
    }

    /// <summary>`zsad import` (options parsed by the zsad command table): imports every path into the outbox under
    /// <paramref name="data"/>; prints one line per VolumeReady.</summary>
    public static async Task<int> ImportAsync(string data, IReadOnlyList<string> paths, ILoggerFactory loggers, TextWriter output, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
            throw new ArgumentException("give at least one PATH to import");
        var options = new ListenerOptions { DataDirectory = data, RabbitMqUri = null };
        var publisher = new VolumePublisher(new FolderBlobStore(options.BlobPath), new FileOutbox(options.OutboxPath), loggers.CreateLogger<VolumePublisher>());
        var importer = new VolumeImporter(publisher, loggers.CreateLogger<VolumeImporter>());
        foreach (var path in paths)
        {
            foreach (var message in await importer.ImportAsync(path, cancellationToken).ConfigureAwait(false))
                output.WriteLine($"{message.VolumeId} {message.Origin} {message.CaseId ?? message.SeriesInstanceUid} {string.Join('x', message.Shape)}");
        }
        return 0;
    }

    private static List<string> List(string value)
        => value.Equals("any", StringComparison.OrdinalIgnoreCase) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static int ParseInt(string key, string value)
        => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"--{key}: '{value}' is not an integer");

    private static Dictionary<string, string> Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> flags, out List<string> positional)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        positional = [];
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(args[i]);
                continue;
            }
            var key = args[i][2..];
            if (flags.Contains(key))
            {
                values[key] = "true";
                continue;
            }
            if (key is not ("data" or "port" or "aet" or "bind" or "allow-calling" or "quiet-s" or "late" or "modality" or "sop-class" or "description" or "plane" or "rabbitmq" or "exclude-image-type"))
                throw new ArgumentException($"unknown option '{args[i]}'");
            if (i + 1 >= args.Count)
                throw new ArgumentException($"'{args[i]}' needs a value");
            values[key] = args[++i];
        }
        return values;
    }
}
