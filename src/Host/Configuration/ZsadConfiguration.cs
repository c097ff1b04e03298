using System.Collections;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Zsad.Listener.Bus;

namespace Zsad.Host.Configuration;

/// <summary>Builds <see cref="ZsadOptions"/> from, in rising precedence: appsettings.json (--config FILE, else
/// $ZSAD_CONFIG, else ./appsettings.json, else one beside the program), environment variables (ZSAD__LISTENER__PORT
/// for Zsad:Listener:Port; ZSAD_RABBITMQ for Zsad:RabbitMq), and command-line flags. Every failure names the key.</summary>
public static partial class ZsadConfiguration
{
    public const string ServeUsage = """
        serve [--role all|listener|inference|reporter[,...]] [--config appsettings.json] [--data DIR]
              [--port 11112] [--aet ZSAD] [--bind 127.0.0.1] [--allow-calling AE,...] [--quiet-s 5]
              [--modality MR,...|any] [--sop-class UID,...|any] [--description REGEX] [--plane axial,coronal,sagittal]
              [--exclude-image-type LOCALIZER,DERIVED,...|none] [--late reprocess|keep]
              [--rabbitmq amqp://...] [--detector NAME] [--normals DIR|phantom] [--prefetch N]
              [--views axial,coronal,sagittal] [--through-plane-sigma MM] [--allow-uncalibrated]
              [--dest AE@host:port] [--pacs DIR] [--reports DIR] [--threshold calibrated|T] [--truth DIR]
              [--http-port 8080] [--no-http] [--no-fsync]
              (every setting also from appsettings.json "Zsad" and ZSAD__SECTION__KEY environment variables)
        """;

    /// <summary>Flag -> configuration key (value flags).</summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["role"] = "Role", ["data"] = "DataDirectory", ["rabbitmq"] = "RabbitMq", ["blobs"] = "BlobDirectory",
        ["port"] = "Listener:Port", ["aet"] = "Listener:AETitle", ["bind"] = "Listener:Bind", ["quiet-s"] = "Listener:QuietSeconds",
        ["allow-calling"] = "Listener:AllowCalling", ["intake"] = "Listener:IntakeDirectory",
        ["modality"] = "Listener:Modality", ["sop-class"] = "Listener:SopClass", ["description"] = "Listener:Description",
        ["plane"] = "Listener:Plane", ["exclude-image-type"] = "Listener:ExcludeImageType", ["late"] = "Listener:Late",
        ["detector"] = "Inference:Detector", ["normals"] = "Inference:Normals", ["prefetch"] = "Inference:Prefetch",
        ["concurrency"] = "Inference:ConcurrentMessages",
        ["views"] = "Inference:Views", ["through-plane-sigma"] = "Inference:ThroughPlaneSigma",
        ["dest"] = "Reporter:Destination", ["pacs"] = "Reporter:PacsDirectory", ["reports"] = "Reporter:OutputDirectory",
        ["threshold"] = "Reporter:Threshold", ["truth"] = "Reporter:GroundTruthDirectory", ["dead-letter"] = "Reporter:DeadLetterDirectory",
        ["http-port"] = "Http:Port", ["http-bind"] = "Http:Bind",
    };

    /// <summary>Boolean flags -> (key, value).</summary>
    private static readonly Dictionary<string, (string Key, string Value)> Switches = new(StringComparer.Ordinal)
    {
        ["no-http"] = ("Http:Enabled", "false"), ["no-fsync"] = ("NoFsync", "true"),
        ["allow-uncalibrated"] = ("Inference:AllowUncalibrated", "true"),
    };

    /// <param name="args">The arguments after `serve`.</param>
    /// <param name="environment">Environment variables; the process's when null (tests pass their own).</param>
    public static ZsadOptions Load(IReadOnlyList<string> args, IDictionary? environment = null, string? workingDirectory = null)
    {
        var overrides = ParseArgs(args, out var configFile);
        environment ??= Environment.GetEnvironmentVariables();
        var env = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in environment)
        {
            var name = (string)e.Key;
            if (name.StartsWith("ZSAD__", StringComparison.OrdinalIgnoreCase))
                env[ZsadOptions.Section + ":" + name[6..].Replace("__", ":", StringComparison.Ordinal)] = e.Value as string;
            else if (name == ZsadBus.RabbitMqVariable && e.Value is string { Length: > 0 } broker)
                env.TryAdd(ZsadOptions.Section + ":RabbitMq", broker);
        }
        configFile ??= env.Remove("Zsad:Config", out var f) ? f : environment["ZSAD_CONFIG"] as string;
        var builder = new ConfigurationBuilder();
        if (configFile is { Length: > 0 })
        {
            if (!File.Exists(configFile))
                throw new ZsadConfigurationException("--config", $"file '{configFile}' does not exist");
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        else
        {
            foreach (var candidate in new[] { Path.Combine(workingDirectory ?? Directory.GetCurrentDirectory(), "appsettings.json"), Path.Combine(AppContext.BaseDirectory, "appsettings.json") })
            {
                if (File.Exists(candidate))
                {
                    builder.AddJsonFile(candidate, optional: false);
                    configFile = candidate;
                    break;
                }
            }
        }
        builder.AddInMemoryCollection(env);
        builder.AddInMemoryCollection(overrides);
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new ZsadConfigurationException(configFile ?? "configuration", $"cannot be read: {ex.Message}");
        }
        var options = new ZsadOptions();
        try
        {
            configuration.GetSection(ZsadOptions.Section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex) when (UnknownInBinderMessage().Match(ex.Message) is { Success: true } unknown)
        {
            // A misspelt key would otherwise be ignored and its default used without anyone noticing.
            var section = unknown.Groups[1].Value switch
            {
                nameof(ZsadOptions.ListenerSettings) => "Listener",
                nameof(ZsadOptions.InferenceSettings) => "Inference",
                nameof(ZsadOptions.ReporterSettings) => "Reporter",
                nameof(ZsadOptions.HttpSettings) => "Http",
                _ => null,
            };
            var key = ZsadOptions.Section + (section is null ? "" : ":" + section) + ":" + unknown.Groups[2].Value;
            throw new ZsadConfigurationException(key, "is not a setting (misspelt?)");
        }
        catch (InvalidOperationException ex)
        {
            // The binder says "... at 'Zsad:Listener:Port' to type ..." or "'Foo' was not found on type ...": keep the key first.
            var key = KeyInBinderMessage().Match(ex.Message) is { Success: true } m ? m.Groups[1].Value : ZsadOptions.Section;
            throw new ZsadConfigurationException(key, ex.Message);
        }
        options.Validate();
        return options;
    }

    private static Dictionary<string, string?> ParseArgs(IReadOnlyList<string> args, out string? configFile)
    {
        configFile = null;
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"unexpected argument '{arg}'");
            var name = arg[2..];
            if (Switches.TryGetValue(name, out var sw))
            {
                values[ZsadOptions.Section + ":" + sw.Key] = sw.Value;
                continue;
            }
            if (name != "config" && !Flags.ContainsKey(name))
                throw new ArgumentException($"unknown option '{arg}'");
            if (i + 1 >= args.Count)
                throw new ArgumentException($"'{arg}' needs a value");
            var value = args[++i];
            if (name == "config")
                configFile = value;
            else
                values[ZsadOptions.Section + ":" + Flags[name]] = value;
        }
        return values;
    }

    [GeneratedRegex(@"not found on the instance of [\w.]+?\+?(\w+): '([^']+)'")]
    private static partial Regex UnknownInBinderMessage();

    [GeneratedRegex("'(Zsad(?::[A-Za-z]+)*)'")]
    private static partial Regex KeyInBinderMessage();
}
