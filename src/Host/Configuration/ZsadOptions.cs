using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Zsad.Imaging;
using Zsad.Inference.Detection;
using Zsad.Listener.Bus;
using Zsad.Listener.Filtering;
using Zsad.Listener.Intake;
using Zsad.Reporter.Export;
using Zsad.Reporter.Segmentation;

namespace Zsad.Host.Configuration;

/// <summary>The service's settings, bound from the "Zsad" section (appsettings.json, then ZSAD__* environment
/// variables, then the command line). <see cref="Validate"/> names the configuration key of the first bad value.</summary>
public sealed class ZsadOptions
{
    public const string Section = "Zsad";

    /// <summary>Root of intake, blobs, outbox, reports, PACS folder and dead letters unless set separately.</summary>
    public string DataDirectory { get; set; } = "zsad-data";

    /// <summary>"all" or a comma-separated list of listener, inference, reporter.</summary>
    public string Role { get; set; } = "all";

    /// <summary>amqp:// URI; empty = in-memory bus (every role must then be in this process).</summary>
    public string? RabbitMq { get; set; }

    /// <summary>Shared blob folder (several machines: a shared mount); default DataDirectory/blobs.</summary>
    public string? BlobDirectory { get; set; }

    /// <summary>Skip fsync (benchmarks only).</summary>
    public bool NoFsync { get; set; }

    public ListenerSettings Listener { get; set; } = new();
    public InferenceSettings Inference { get; set; } = new();
    public ReporterSettings Reporter { get; set; } = new();
    public HttpSettings Http { get; set; } = new();

    public ServiceRole Roles => ParseRoles(Role);
    public string BlobPath => Full(BlobDirectory) ?? Path.Combine(DataPath, "blobs");
    public string DataPath => Path.GetFullPath(DataDirectory);
    public string IntakePath => Full(Listener.IntakeDirectory) ?? Path.Combine(DataPath, "intake");
    public string ReportPath => Full(Reporter.OutputDirectory) ?? Path.Combine(DataPath, "reports");
    public string PacsPath => Full(Reporter.PacsDirectory) ?? Path.Combine(DataPath, "pacs");
    public string DeadLetterPath => Full(Reporter.DeadLetterDirectory) ?? Path.Combine(DataPath, "dead-letter");
    public string? RabbitMqUri => string.IsNullOrWhiteSpace(RabbitMq) ? null : RabbitMq;

    /// <summary>Throws <see cref="ZsadConfigurationException"/> naming the key (e.g. "Zsad:Listener:Port").</summary>
    public void Validate()
    {
        static void Fail(string key, string why) => throw new ZsadConfigurationException($"{Section}:{key}", why);
        if (string.IsNullOrWhiteSpace(DataDirectory))
            Fail(nameof(DataDirectory), "is required");
        ServiceRole roles = 0;
        try
        {
            roles = Roles;
        }
        catch (FormatException ex)
        {
            Fail(nameof(Role), ex.Message);
        }
        if (RabbitMqUri is { } uri)
        {
            try
            {
                ZsadBus.ParseBrokerUri(uri);
            }
            catch (ArgumentException)
            {
                Fail(nameof(RabbitMq), $"'{ZsadBus.Redact(uri)}' is not an amqp://user:password@host:port/vhost URI");
            }
        }
        else if (roles != ServiceRole.All)
        {
            Fail(nameof(RabbitMq), $"role '{Role}' alone needs a broker (the in-memory bus joins roles of one process only): set Zsad:RabbitMq or ZSAD_RABBITMQ");
        }
        if (Listener.Port is < 0 or > 65535)
            Fail("Listener:Port", $"{Listener.Port} is not a TCP port");
        if (string.IsNullOrWhiteSpace(Listener.AETitle) || Listener.AETitle.Trim().Length > 16)
            Fail("Listener:AETitle", $"'{Listener.AETitle}' is not an AE title of 1 to 16 characters");
        if (!IPAddress.TryParse(Listener.Bind, out _))
            Fail("Listener:Bind", $"'{Listener.Bind}' is not an IP address");
        if (!(Listener.QuietSeconds > 0))
            Fail("Listener:QuietSeconds", "must be a positive number of seconds");
        foreach (var check in new Action[] { () => _ = Listener.Filter, () => _ = Listener.LatePolicy })
        {
            try
            {
                check();
            }
            catch (ArgumentException ex)
            {
                Fail("Listener:" + ex.ParamName, ex.Message[..ex.Message.LastIndexOf(" (Parameter", StringComparison.Ordinal)]);
            }
        }
        if (string.IsNullOrWhiteSpace(Inference.Detector))
            Fail("Inference:Detector", "is required (e.g. resnet18-memory)");
        else if (roles.HasFlag(ServiceRole.Inference) && !DetectorCatalog.BuiltIn.Contains(Inference.Detector)
            && !Directory.Exists(Inference.Detector) && !Directory.Exists(Path.Combine(DetectorCatalog.BundleDirectory, Inference.Detector)))
            Fail("Inference:Detector", $"'{Inference.Detector}' is neither a built-in detector ({string.Join(", ", DetectorCatalog.BuiltIn)}) nor a bundle folder");
        if (Inference.Normals is { Length: > 0 } normals && normals != InferenceSettings.PhantomNormals && !Directory.Exists(normals))
            Fail("Inference:Normals", $"folder '{normals}' does not exist (or use '{InferenceSettings.PhantomNormals}')");
        if (Inference.Normals == InferenceSettings.PhantomNormals && !DetectorCatalog.BuiltIn.Contains(Inference.Detector))
            Fail("Inference:Normals", $"'{InferenceSettings.PhantomNormals}' references suit the built-in detectors only, not '{Inference.Detector}'");
        try
        {
            if (Inference.Views is not null)
                _ = Zsad.Inference.Detection.Views.SlicingOptions.ParseViews(Inference.Views, "Inference:Views");
        }
        catch (ArgumentException ex)
        {
            Fail("Inference:Views", ex.Message["Inference:Views: ".Length..]);
        }
        if (Inference.ThroughPlaneSigma is { } sigma && !(sigma >= 0 && double.IsFinite(sigma)))
            Fail("Inference:ThroughPlaneSigma", $"{sigma} is not 0 or more millimetres");
        if (Inference.Prefetch is < 1 or > 1000)
            Fail("Inference:Prefetch", $"{Inference.Prefetch} is not between 1 and 1000");
        if (Inference.ConcurrentMessages is < 1 or > 64)
            Fail("Inference:ConcurrentMessages", $"{Inference.ConcurrentMessages} is not between 1 and 64");
        try
        {
            _ = Reporter.ThresholdValue;
        }
        catch (ArgumentException ex)
        {
            Fail("Reporter:Threshold", ex.Message);
        }
        if (Reporter.Destination is { Length: > 0 } destination)
        {
            try
            {
                _ = ExportDestination.Parse(destination);
            }
            catch (ArgumentException ex)
            {
                Fail("Reporter:Destination", ex.Message);
            }
        }
        if (Reporter.GroundTruthDirectory is { Length: > 0 } truth && !Directory.Exists(truth))
            Fail("Reporter:GroundTruthDirectory", $"folder '{truth}' does not exist");
        if (Http.Port is < 0 or > 65535)
            Fail("Http:Port", $"{Http.Port} is not a TCP port");
        if (!IPAddress.TryParse(Http.Bind, out _))
            Fail("Http:Bind", $"'{Http.Bind}' is not an IP address");
    }

    public static ServiceRole ParseRoles(string text)
    {
        ServiceRole roles = 0;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= part.ToLowerInvariant() switch
            {
                "all" => ServiceRole.All,
                "listener" => ServiceRole.Listener,
                "inference" => ServiceRole.Inference,
                "reporter" => ServiceRole.Reporter,
                _ => throw new FormatException($"'{part}' is not all, listener, inference or reporter"),
            };
        }
        return roles == 0 ? throw new FormatException("no role given (all, listener, inference, reporter)") : roles;
    }

    private static string? Full(string? path) => string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path);

    public sealed class ListenerSettings
    {
        public int Port { get; set; } = 11112;
        public string AETitle { get; set; } = "ZSAD";
        public string Bind { get; set; } = "127.0.0.1";
        public double QuietSeconds { get; set; } = 5;
        public string? IntakeDirectory { get; set; }
        /// <summary>Comma-separated calling AE titles allowed; empty = any.</summary>
        public string? AllowCalling { get; set; }

        // Which closed series become volumes (SeriesFilterOptions); lists are comma-separated, "any" accepts all.
        /// <summary>Modalities processed (default MR).</summary>
        public string Modality { get; set; } = "MR";
        /// <summary>SOP Class UIDs processed; empty = MR Image and Enhanced MR Image Storage.</summary>
        public string? SopClass { get; set; }
        /// <summary>.NET regular expression the SeriesDescription must match; empty = any.</summary>
        public string? Description { get; set; }
        /// <summary>Planes of acquisition processed (axial, coronal, sagittal); empty = any.</summary>
        public string? Plane { get; set; }
        /// <summary>ImageType values that keep a series from processing (default LOCALIZER; add DERIVED for reformats
        /// and parametric maps); "none" = no exclusion.</summary>
        public string ExcludeImageType { get; set; } = "LOCALIZER";
        /// <summary>Instances arriving after their series closed: "reprocess" (a new generation) or "keep" (stored only).</summary>
        public string Late { get; set; } = "reprocess";

        /// <summary>The filter these settings describe; <see cref="ArgumentException"/> names the bad setting.</summary>
        public SeriesFilterOptions Filter
        {
            get
            {
                var filter = new SeriesFilterOptions
                {
                    Modalities = List(Modality),
                    ExcludedImageTypes = ExcludeImageType.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : List(ExcludeImageType),
                    SeriesDescriptionPattern = string.IsNullOrWhiteSpace(Description) ? null : Description,
                    Orientations = List(Plane).Select(p => Enum.TryParse<AnatomicalPlane>(p, ignoreCase: true, out var plane) && Enum.IsDefined(plane) ? plane
                        : throw new ArgumentException($"'{p}' is not axial, coronal or sagittal", nameof(Plane))).ToList(),
                };
                if (!string.IsNullOrWhiteSpace(SopClass))
                    filter = filter with { SopClasses = List(SopClass) };
                if (filter.SeriesDescriptionPattern is { } pattern)
                {
                    try
                    {
                        _ = new Regex(pattern);
                    }
                    catch (ArgumentException ex)
                    {
                        throw new ArgumentException($"'{pattern}' is not a regular expression: {ex.Message}", nameof(Description));
                    }
                }
                return filter;
            }
        }

        public LateInstancePolicy LatePolicy => Enum.TryParse<LateInstancePolicy>(Late, ignoreCase: true, out var late) && Enum.IsDefined(late) ? late
            : throw new ArgumentException($"'{Late}' is not reprocess or keep", nameof(Late));

        private static List<string> List(string? value) => string.IsNullOrWhiteSpace(value) || value.Trim().Equals("any", StringComparison.OrdinalIgnoreCase)
            ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    public sealed class InferenceSettings
    {
        public const string PhantomNormals = "phantom";

        public string Detector { get; set; } = DetectorCatalog.DefaultDetector;
        /// <summary>Folder of normal reference volumes, "phantom" for lesion-free synthetic phantoms, empty for the
        /// catalogue's default search.</summary>
        public string? Normals { get; set; }
        /// <summary>Planes the detector's slice pass runs along, maps averaged ("axial,coronal,sagittal"); empty =
        /// the bundle manifest's, else axial. Overrides the manifest.</summary>
        public string? Views { get; set; }
        /// <summary>Gaussian sigma in mm across axial slices of the map; empty = the manifest's, else none.</summary>
        public double? ThroughPlaneSigma { get; set; }
        /// <summary>Send BINARY SEGs even when the detector's references and calibration are not the site's own
        /// normals (phantoms, the synthetic template subjects, an uncalibrated bundle). Off by default: such a SEG
        /// can flag healthy brain wholesale. The phantom demo sets it.</summary>
        public bool AllowUncalibrated { get; set; }
        /// <summary>Messages the broker hands one inference process ahead of time (competing consumers share the rest).</summary>
        public int Prefetch { get; set; } = 2;
        /// <summary>Volumes one process works on at once (one detector session each).</summary>
        public int ConcurrentMessages { get; set; } = 1;
    }

    public sealed class ReporterSettings
    {
        /// <summary>A number, or "calibrated" (0.5).</summary>
        public string Threshold { get; set; } = "calibrated";
        /// <summary>AE@host:port to C-STORE SEG and summary to; empty = copy them into the PACS folder.</summary>
        public string? Destination { get; set; }
        public string CallingAETitle { get; set; } = "ZSAD";
        public string? PacsDirectory { get; set; }
        public string? OutputDirectory { get; set; }
        public string? DeadLetterDirectory { get; set; }
        /// <summary>Folder of ground-truth masks named &lt;SeriesInstanceUID&gt;.nii.gz (or &lt;case&gt;.nii.gz) for
        /// network series; imports carry theirs in the message.</summary>
        public string? GroundTruthDirectory { get; set; }

        public SegmentationThreshold ThresholdValue => Threshold.Equals("calibrated", StringComparison.OrdinalIgnoreCase)
            ? SegmentationThreshold.Calibrated()
            : float.TryParse(Threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) && v is >= 0 and <= 1
                ? SegmentationThreshold.Fixed(v)
                : throw new ArgumentException($"'{Threshold}' is neither 'calibrated' nor a number in [0,1]");
    }

    public sealed class HttpSettings
    {
        /// <summary>Port of /health and /metrics; 0 = any free port (logged).</summary>
        public int Port { get; set; } = 8080;
        /// <summary>Loopback by default: health and metrics are for the local agent or a sidecar.</summary>
        public string Bind { get; set; } = "127.0.0.1";
        public bool Enabled { get; set; } = true;
    }
}
