using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Zsad.Listener.Bus;

namespace Zsad.Host.Configuration;

/// <summary>Builds <see cref="ZsadOptions"/> from, in rising precedence: appsettings.json (--config FILE, else
/// $ZSAD_CONFIG, else ./appsettings.json, else one beside the program), environment variables (ZSAD__LISTENER__PORT
/// for Zsad:Listener:Port; ZSAD_RABBITMQ for Zsad:RabbitMq), and command-line flags. Every failure names the key.</summary>
public static partial class ZsadConfiguration
{
    /// <summary>One `zsad serve` flag. <paramref name="Key"/> is the setting under "Zsad" it overrides (null for
    /// --config); <paramref name="ValueName"/> null makes it a switch that sets <paramref name="SwitchValue"/>.
    /// This table is the only definition: the parser below and `zsad serve --help` both read it.</summary>
    public sealed record ServeFlag(string Name, string? Key, string? ValueName, string Description, string? SwitchValue = null)
    {
        /// <summary>The built-in default of the setting (what applies when neither appsettings nor environment sets it).</summary>
        public string? Default => Key is null || ValueName is null ? null : DefaultOf(Key);
    }

    public static readonly IReadOnlyList<ServeFlag> ServeFlags =
    [
        new("config", null, "FILE", "appsettings file (default: $ZSAD_CONFIG, else ./appsettings.json, else the one beside the program)"),
        new("role", "Role", "all|listener|inference|reporter[,...]", "roles this process runs"),
        new("data", "DataDirectory", "DIR", "root of intake, blobs, outbox, reports, PACS folder and dead letters"),
        new("rabbitmq", "RabbitMq", "amqp://...", "broker URI (also $ZSAD_RABBITMQ); none or empty: in-memory bus, every role in this process"),
        new("blobs", "BlobDirectory", "DIR", "shared blob folder (default: DATA/blobs)"),
        new("port", "Listener:Port", "PORT", "DICOM listener port"),
        new("aet", "Listener:AETitle", "AE", "the listener's AE title"),
        new("bind", "Listener:Bind", "IP", "address the listener binds"),
        new("allow-calling", "Listener:AllowCalling", "AE,...", "calling AE titles accepted (default: any)"),
        new("quiet-s", "Listener:QuietSeconds", "SECONDS", "a series closes after this long without a new instance"),
        new("intake", "Listener:IntakeDirectory", "DIR", "durable intake folder (default: DATA/intake)"),
        new("modality", "Listener:Modality", "MR,...|any", "modalities turned into volumes"),
        new("sop-class", "Listener:SopClass", "UID,...|any", "SOP classes turned into volumes (default: MR and Enhanced MR Image Storage)"),
        new("description", "Listener:Description", "REGEX", "SeriesDescription must match (default: any)"),
        new("plane", "Listener:Plane", "axial,coronal,sagittal", "planes of acquisition processed (default: any)"),
        new("exclude-image-type", "Listener:ExcludeImageType", "LOCALIZER,DERIVED,...|none", "ImageType values that keep a series out"),
        new("late", "Listener:Late", "reprocess|keep", "instances arriving after their series closed"),
        new("detector", "Inference:Detector", "NAME|BUNDLE_DIR", "detector of the inference role"),
        new("normals", "Inference:Normals", "DIR|phantom", "normal reference volumes (default: the catalogue's search)"),
        new("prefetch", "Inference:Prefetch", "N", "messages the broker hands this process ahead of time"),
        new("concurrency", "Inference:ConcurrentMessages", "N", "volumes this process works on at once"),
        new("views", "Inference:Views", "axial,coronal,sagittal", "slice planes, maps averaged (default: the bundle's, else axial)"),
        new("through-plane-sigma", "Inference:ThroughPlaneSigma", "MM", "Gaussian sigma across slices of the map (default: the bundle's, else none)"),
        new("allow-uncalibrated", "Inference:AllowUncalibrated", null,
            "send BINARY SEGs even when the detector's references are not the site's normals", SwitchValue: "true"),
        new("dest", "Reporter:Destination", "AE@host:port", "C-STORE destination of SEG and summary (default: copy into the PACS folder)"),
        new("pacs", "Reporter:PacsDirectory", "DIR", "file-system PACS folder (default: DATA/pacs)"),
        new("reports", "Reporter:OutputDirectory", "DIR", "SEG, maps and evaluation reports (default: DATA/reports)"),
        new("threshold", "Reporter:Threshold", "calibrated|T", "segmentation threshold, a number in [0,1] or calibrated (0.5)"),
        new("truth", "Reporter:GroundTruthDirectory", "DIR", "ground-truth masks <SeriesInstanceUID>.nii.gz for network series"),
        new("dead-letter", "Reporter:DeadLetterDirectory", "DIR", "undelivered exports (default: DATA/dead-letter)"),
        new("http-port", "Http:Port", "PORT", "port of /health and /metrics (0: any free port)"),
        new("http-bind", "Http:Bind", "IP", "address of /health and /metrics"),
        new("no-http", "Http:Enabled", null, "no /health and /metrics endpoint", SwitchValue: "false"),
        new("no-fsync", "NoFsync", null, "skip fsync (benchmarks only)", SwitchValue: "true"),
    ];

    /// <summary>The default of a setting ("Listener:Port"), read from a fresh <see cref="ZsadOptions"/> so the usage
    /// cannot disagree with it; null when it has none.</summary>
    // Reflection over the options classes only: their public properties are kept for the trimmer here (the
    // configuration binder's generated code reads them too).
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ZsadOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ZsadOptions.ListenerSettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ZsadOptions.InferenceSettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ZsadOptions.ReporterSettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ZsadOptions.HttpSettings))]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "the properties walked are kept by the DynamicDependency attributes")]
    public static string? DefaultOf(string key)
    {
        object? value = new ZsadOptions();
        foreach (var name in key.Split(':'))
            value = value?.GetType().GetProperty(name)?.GetValue(value);
        return value switch
        {
            null => null,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }

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
            var flag = ServeFlags.FirstOrDefault(f => f.Name == arg[2..]) ?? throw new ArgumentException($"unknown option '{arg}'");
            if (flag.ValueName is null)
            {
                values[ZsadOptions.Section + ":" + flag.Key] = flag.SwitchValue;
                continue;
            }
            if (i + 1 >= args.Count)
                throw new ArgumentException($"'{arg}' needs a value");
            var value = args[++i];
            if (flag.Key is null)
                configFile = value;
            else
                values[ZsadOptions.Section + ":" + flag.Key] = value;
        }
        return values;
    }

    [GeneratedRegex(@"not found on the instance of [\w.]+?\+?(\w+): '([^']+)'")]
    private static partial Regex UnknownInBinderMessage();

    [GeneratedRegex("'(Zsad(?::[A-Za-z]+)*)'")]
    private static partial Regex KeyInBinderMessage();
}
