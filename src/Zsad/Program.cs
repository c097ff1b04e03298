using System.Globalization;
using System.Runtime.InteropServices;
using Zsad.Cli.Commands;
using Zsad.Host.Configuration;
using Zsad.Imaging.Synthetic;

namespace Zsad.Cli;

/// <summary>The `zsad` command. <see cref="Commands"/> is the one definition of every command: its options drive both
/// the parser and `zsad help COMMAND`. Handlers live in Commands/ and the domain projects; errors end as one line on
/// stderr and exit code 1 (2 for usage errors).</summary>
public static class Program
{
    // Adding an option is one line in the command's list; its handler reads it with a.Option("name").
    private static OptionSpec Opt(string name, string value, string description, string? @default = null) => new(name, value, description, @default);
    private static OptionSpec Req(string name, string value, string description) => new(name, value, description, Required: true);
    private static OptionSpec Switch(string name, string description) => new(name, null, description);
    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static readonly OptionSpec[] DicomTls =
    [
        Switch("tls", "DICOM TLS with the system's trust store (implied by --tls-cert or --tls-trust)"),
        Opt("tls-cert", "FILE", "certificate (PEM or PKCS#12) to present"),
        Opt("tls-key", "FILE", "private key of --tls-cert when it is PEM"),
        Opt("tls-password", "P", "password of the key or PKCS#12 file"),
        Opt("tls-trust", "FILE", "PEM certificates trusted for the peer"),
    ];

    private static OptionSpec[] DicomClient(int retries) =>
    [
        Req("host", "HOST", "the peer's host name or address"),
        Req("port", "PORT", "the peer's DICOM port"),
        Req("aec", "AE", "the peer's (called) AE title"),
        Opt("aet", "AE", "our (calling) AE title", "ZSAD"),
        Opt("max-pdu", "BYTES", "largest PDU we accept", "262144"),
        Opt("retries", "N", "retries of a failed association", Invariant(retries)),
        .. DicomTls,
    ];

    private static readonly Zsad.Training.TrainingOptions Training = new();

    public static readonly IReadOnlyList<CommandSpec> Commands =
    [
        new("demo", "the main job on embedded defaults: a synthetic study over DICOM through the embedded service to a SEG and a report",
        [
            Opt("out", "DIR", "where the demo writes everything", "demo-out"),
            Opt("seed", "N", "seed of the synthetic study", "1"),
        ], DemoCommand.Run),
        new("dicom dump", "dump a DICOM file, one line per element (DICOM JSON model with --json)",
        [
            Switch("json", "print the DICOM JSON model (PS3.18 F.2) instead"),
        ], DicomCommands.Dump) { Positionals = [new("FILE", "a DICOM Part 10 file")] },
        new("dicom convert", "rewrite a DICOM file in another transfer syntax",
        [
            Req("ts", "implicit|explicit|deflated|big|rle|UID", "the target transfer syntax"),
        ], DicomCommands.Convert) { Positionals = [new("IN", "the DICOM file to read"), new("OUT", "the file to write")] },
        new("echo", "C-ECHO a DICOM peer", DicomClient(retries: 0), NetworkCommands.Echo),
        new("store", "C-STORE files and folders (recursive) to a DICOM peer", DicomClient(retries: 3), NetworkCommands.Store)
        {
            Positionals = [new("PATH", "DICOM files or folders", Variadic: true)],
        },
        new("scp", "storage SCP writing <SOPInstanceUID>.dcm until SIGINT/SIGTERM",
        [
            Req("port", "PORT", "port to listen on"),
            Req("aet", "AE", "our AE title"),
            Req("out", "DIR", "folder the received instances go to"),
            Opt("allow-calling", "AE,...", "calling AE titles accepted (default: any)"),
            Opt("bind", "IP", "address to listen on", "0.0.0.0"),
            Opt("max-associations", "N", "concurrent associations", "16"),
            Opt("max-pdu", "BYTES", "largest PDU we accept", "262144"),
            Switch("no-fsync", "do not flush each file to disk (benchmarks only)"),
            .. DicomTls,
        ], NetworkCommands.Scp),
        new("volume convert", "a DICOM series folder or a NIfTI file to NIfTI", [],
            a => Zsad.Listener.Commands.VolumeCommands.Convert(a.Positional))
        {
            Positionals = [new("INPUT", "a folder with one DICOM series, or a NIfTI file"), new("OUTPUT", "the NIfTI file to write (.nii or .nii.gz)")],
        },
        new("serve", "the service: listener + inference + reporter (embedded default: in-memory bus, local folders, PACS folder); /health and /metrics",
            ZsadConfiguration.ServeFlags.Select(f => new OptionSpec(f.Name, f.ValueName, f.Description, f.Default)).ToList(), Serve)
        {
            Notes = "Settings layer: built-in defaults (shown), then appsettings.json (section \"Zsad\"), then environment\n"
                + "variables (ZSAD__SECTION__KEY, e.g. ZSAD__LISTENER__PORT; ZSAD_RABBITMQ), then these options.",
        },
        new("replay", "an archive through the pipeline, resumable: maps/, masks/ and the evaluation report; the archive is a folder "
            + "(--input) or a PACS (--pacs: series found by C-FIND, pulled one at a time by C-GET or C-MOVE, replay-manifest.json)",
        [
            Opt("input", "DIR", "the archive: BraTS case folders, DICOM folders or NIfTI files (or --pacs)"),
            Opt("pacs", "AE@host:port", "the PACS to query and retrieve from (or --input)"),
            Req("out", "REPORT_DIR", "where maps, masks and the report go (also the resume state)"),
            Opt("detector", "NAME|BUNDLE_DIR", "detector", Zsad.Inference.Detection.DetectorCatalog.DefaultDetector),
            Opt("normals", "DIR|phantom", "normal reference volumes (default: the catalogue's search)"),
            Opt("threshold", "calibrated|T", "segmentation threshold", "calibrated"),
            Switch("allow-uncalibrated", "send BINARY SEGs even when the detector's references are not the site's normals"),
            Opt("aet", "AE", "with --pacs: our calling AE (also the listener's AE with C-GET)", "ZSAD"),
            Switch("get", "with --pacs: retrieve by C-GET on the query association (the default)"),
            Opt("move-to", "AE", "with --pacs: retrieve by C-MOVE to this AE (the replay's own listener)"),
            Opt("port", "PORT", "with --move-to: the replay listener's port", "11112"),
            Opt("study", "UID,...", "with --pacs: only these studies"),
            Opt("modality", "CS", "with --pacs: series modality (C-FIND key and listener filter; default MR)"),
            Opt("since", "YYYYMMDD", "with --pacs: StudyDate from"),
            Opt("until", "YYYYMMDD", "with --pacs: StudyDate until"),
            Opt("description", "REGEX", "with --pacs: SeriesDescription must match"),
            Switch("resume", "with --pacs: continue a run into the same folder, skipping finished series"),
            Opt("dest", "AE@host:port", "with --pacs: C-STORE destination of SEG and summary SR"),
            Opt("max-pending", "N", "with --pacs: series retrieved but not yet reported, at most", "2"),
        ], Replay),
        new("health", "exit 0 when the service answers ready (container healthcheck: the images carry no curl)",
        [
            Opt("url", "URL", "the service's health endpoint", "http://127.0.0.1:8080/health"),
        ], Health),
        new("import", "BraTS folders, DICOM folders or NIfTI files as VolumeReady messages into the outbox of a data folder",
        [
            Req("data", "DIR", "the data folder of the listener that publishes them"),
        ], a => Zsad.Listener.Commands.ListenerCommands.ImportAsync(a.RequiredOption("data"), a.Positional, Logging.Create(), Console.Out,
            CancellationToken.None).GetAwaiter().GetResult())
        {
            Positionals = [new("PATH", "BraTS case folders (<id>/<id>-t2w.nii.gz [+ <id>-seg.nii.gz]), DICOM folders or NIfTI files", Variadic: true)],
        },
        new("infer", "anomaly map in [0,1] on the input's grid, and the image score",
        [
            Req("input", "VOLUME.nii.gz", "the volume to map"),
            Req("out", "MAP.nii.gz", "the map to write"),
            Opt("detector", "NAME|BUNDLE_DIR", "detector", Zsad.Inference.Detection.DetectorCatalog.DefaultDetector),
            Opt("normals", "DIR|phantom", "normal reference volumes (default: the bundle's bank, else the catalogue's search)"),
            Opt("views", "axial,coronal,sagittal", "slice planes, maps averaged (default: the bundle's, else axial)"),
            Opt("through-plane-sigma", "MM", "Gaussian sigma across slices of the map (default: the bundle's, else none)"),
            Opt("provider", "auto|cuda|cpu", "ONNX Runtime execution provider (cuda fails rather than fall back to the CPU)", "auto"),
        ], Infer),
        new("train", "VAND adapters fitted on a BraTS-style folder -> a bundle (docs/training.md)",
        [
            Req("bundle", "IN_BUNDLE", "the bundle to start from"),
            Req("data", "DIR", "BraTS-style case folders"),
            Req("out", "OUT_BUNDLE", "the trained bundle to write"),
            Switch("from-scratch", "fresh adapters instead of continuing the bundle's own"),
            Opt("epochs", "N", "training epochs", Invariant(Training.Epochs)),
            Opt("lr", "X", "Adam learning rate", Invariant(Training.LearningRate)),
            Opt("batch", "B", "slices per batch", Invariant(Training.BatchSize)),
            Opt("val-fraction", "F", "fraction of cases held out for validation", Invariant(Training.ValidationFraction)),
            Opt("seed", "S", "seed of the split and of the initialisation", Invariant(Training.Seed)),
            Opt("augment", "K", "augmented views per training slice (0: none)", Invariant(Training.Augment)),
            Opt("patience", "P", "epochs without a better validation Dice before stopping", Invariant(Training.Patience)),
            Opt("setup", "brats|finetune|pmc|custom", "setup written as the bundle's weights (default: derived from the run)"),
        ], Train),
        new("seg", "DICOM SEG (+ metric summary SR) from an anomaly map",
        [
            Req("source", "DICOM_DIR", "the source series the map was computed on"),
            Req("map", "MAP.nii.gz", "the anomaly map"),
            Req("out", "SEG.dcm", "the binary SEG to write (OUT-summary.dcm, OUT-fractional.dcm beside it)"),
            Opt("threshold", "T|calibrated|f1max:PRED_DIR:TRUTH_DIR", "segmentation threshold", "calibrated"),
            Switch("fractional", "also write a FRACTIONAL SEG of the map"),
            Opt("detector", "NAME", "detector name recorded in the SEG", "zsad"),
            Opt("min-size", "N|Nmm3", "drop components smaller than N voxels or N mm3 (default: keep all)"),
            Opt("dest", "AE@host:port[,...]", "C-STORE the results there (default: only write them)"),
            Opt("dead-letter", "DIR", "undelivered exports (default: $ZSAD_DEAD_LETTER_DIR, else ~/.local/share/zsad/dead-letter)"),
        ], Seg),
        new("evaluate", "the seed paper's metrics, tables and figures from maps and ground-truth masks",
        [
            Req("pred", "DIR", "anomaly maps <case>.nii.gz"),
            Req("truth", "DIR", "ground-truth masks"),
            Req("out", "REPORT_DIR", "where the report goes"),
            Opt("threshold", "T", "segmentation threshold", Invariant(Zsad.Reporter.Segmentation.SegmentationThreshold.CalibratedDecisionLevel)),
        ], Evaluate),
        new("export", "C-STORE with retries; failures become dead letters (--retry sends them again)",
        [
            Opt("dest", "AE@host:port[,...]", "destinations (needed unless --retry)"),
            Opt("dead-letter", "DIR", "dead-letter folder (default: $ZSAD_DEAD_LETTER_DIR, else ~/.local/share/zsad/dead-letter)"),
            Switch("retry", "send the dead letters again instead of PATHs"),
        ], Export)
        {
            Positionals = [new("PATH", "DICOM files or folders (none with --retry)", Variadic: true, Optional: true)],
        },
        new("models list", "built-in detectors and installed bundles", [], _ => Zsad.Inference.Cli.ModelsCommandHandler.List(Console.Out)),
        new("models study", "the synthetic detection study of docs/detectors.md (needs mricron-data)",
        [
            Opt("downsample", "N", "downsampling factor of the volumes", "1"),
            Opt("views", "axial,coronal,sagittal", "slice planes, maps averaged (default: axial)"),
            Opt("through-plane-sigma", "MM", "Gaussian sigma across slices of the map (default: none)"),
            Switch("held-out", "the held-out study's first draw (other generator settings; looked at five times, see --held-out-draw)"),
            Opt("held-out-draw", "K", "draw K (2 or more) of the held-out generator: other seeds, each kept unseen for one report"),
            Switch("development", "the held-out study's lesion layout on the development generator"),
            Switch("development-strong", "the development seeds at the held-out generator's warp, bias and noise strengths"),
            Opt("normals-count", "N,...", "with a study setting: numbers of site normals compared", "1,2,4,8"),
            Opt("maps", "DIR", "with a study setting: write each test volume's calibrated map and lesion labels (NIfTI) to DIR/N-normals/"),
            Opt("height-window", "H", "with a study setting: half-width of the bank's slice window in normalised brain height (default: the detector's)"),
            Switch("pool", "with a study setting: stage-2 pooling of the memory features on"),
            Switch("no-pool", "with a study setting: stage-2 pooling off"),
            Switch("no-position-scale", "with a study setting: raw nearest-neighbour distances, not scaled per place"),
            Opt("smoothing-sigma", "PX", "with a study setting: Gaussian sigma of the slice maps (default: the detector's)"),
            Opt("fine-weight", "W", "with a study setting: weight of the stride-4 fine detail, 0 = off (default: the detector's)"),
            Opt("intensity-weight", "W", "with a study setting: weight of the voxel intensity tail, 0 = off (default: the detector's)"),
            Opt("range-weight", "W", "with a study setting: weight of the per-place intensity range, 0 = off (default: the detector's)"),
            Opt("roughness-weight", "W", "with a study setting: weight of the per-place local roughness range, 0 = off (default: the detector's)"),
            Opt("blob-weight", "W", "with a study setting: weight of the per-place local blobness range, 0 = off (default: the detector's)"),
            Opt("slice-axis-sigma", "MM", "with a study setting: Gaussian sigma of the raw score across slices, before calibration, 0 = off (default: the detector's)"),
            Opt("delineation", "F", "with a study setting: each finding keeps its voxels above this fraction of its peak, 0 = off (default: the detector's)"),
            Opt("core-quantile", "Q", "with a study setting: each finding keeps its voxels whose voxel-scale score reaches this quantile of the normals', 0 = off (default: the detector's)"),
            Opt("edge-reach", "MM", "with a study setting: a finding whose core contrasts with the tissue around it follows its half-contrast edge within this many mm of the core cut, 0 = off (default: the detector's)"),
            Opt("dark-rim", "MM", "with a study setting: brain voxels within this many mm of the mask's edge and darker than its 1st percentile are left out as partial background, 0 = off (default: the detector's)"),
            Opt("false-findings", "N", "with a study setting: keep only the findings heavier than the mass that lets N false findings per healthy scan through on the held-out normals (default: off, every finding kept)"),
            Opt("patch-cap", "SD", "with a study setting: ceiling of the position-scaled patch score, 0 = none (default: the detector's; none with --no-position-scale)"),
        ], Study),
        new("models build-memory", "few-shot memory bank from normal volumes, stored in a bundle (docs/bundle-format.md)",
        [
            Req("detector", "resnet18-memory|BUNDLE_DIR", "the detector whose features fill the bank"),
            Req("normals", "DIR", "normal reference volumes"),
            Req("out", "OUT_BUNDLE", "the bundle to write"),
            Opt("slice-step", "N", "every Nth slice of the normals (default: the detector's)"),
            Opt("max-bank-mb", "MB", "largest bank, in MiB", Invariant(Zsad.Inference.Memory.MemoryBankBuilder.DefaultMaxBankBytes >> 20)),
            Opt("fpr", "RATE", "false-positive rate per healthy voxel at the calibrated threshold (leave-one-normal-out)",
                Invariant(new Zsad.Inference.Detection.MemoryDetectorOptions().FalsePositiveRate)),
            Opt("slice-axis-sigma", "MM", "resnet18-memory: Gaussian sigma of the raw score across slices, calibrated with it (0 = off)",
                Invariant(new Zsad.Inference.Detection.MemoryDetectorOptions().SliceAxisSigmaMm)),
            Opt("delineation", "F", "resnet18-memory: each finding keeps its voxels at or above this fraction of the way from the healthy median to its peak (0 = off)",
                Invariant(new Zsad.Inference.Detection.MemoryDetectorOptions().DelineationFraction)),
            Opt("core-quantile", "Q", "resnet18-memory: each finding keeps its voxels whose voxel-scale score reaches this quantile of the held-out normals' (0 = off)",
                Invariant(new Zsad.Inference.Detection.MemoryDetectorOptions().CoreQuantile)),
            Opt("edge-reach", "MM", "resnet18-memory: a finding whose core contrasts with the tissue around it follows its half-contrast edge within this many mm of the core cut (0 = off)",
                Invariant(new Zsad.Inference.Detection.MemoryDetectorOptions().EdgeReachMm)),
            Opt("dark-rim", "MM", "resnet18-memory: brain voxels within this many mm of the mask's edge and darker than its 1st percentile are left out as partial background (0 = off)",
                Invariant(new Zsad.Inference.Detection.MemoryDetectorOptions().DarkRimMm)),
            Opt("false-findings", "N", "resnet18-memory: a scan keeps only the findings heavier than the mass that lets N false findings per healthy scan through on the held-out normals (default: off, every finding kept)"),
        ], BuildMemory),
    ];

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs one command line; help and usage errors go to the given writers (tests pass their own).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args is ["--version"])
            {
                stdout.WriteLine($"zsad {typeof(Program).Assembly.GetName().Version}");
                return 0;
            }
            return CommandLine.Run(Commands, args, stdout, stderr);
        }
        catch (ZsadConfigurationException ex)
        {
            stderr.WriteLine($"zsad: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            stderr.WriteLine($"zsad: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    private static int Infer(CommandArgs a) => Zsad.Inference.Cli.InferCommandHandler.Run(
        a.Option("detector"), a.RequiredOption("input"), a.RequiredOption("out"), a.Option("normals"), Console.Out,
        views: a.Option("views"), throughPlaneSigma: a.Option("through-plane-sigma"), provider: a.Option("provider"));

    private static int BuildMemory(CommandArgs a) => Zsad.Inference.Cli.ModelsCommandHandler.BuildMemory(
        a.RequiredOption("detector"), a.RequiredOption("normals"), a.RequiredOption("out"), a.Option("slice-step"), a.Option("max-bank-mb"), Console.Out, a.Option("fpr"),
        a.Option("slice-axis-sigma"), a.Option("delineation"), a.Option("core-quantile"), a.Option("edge-reach"), a.Option("dark-rim"), a.Option("false-findings"));

    private static int Serve(CommandArgs a)
    {
        // Only the flags given: an absent one must leave appsettings and environment in force.
        var options = ZsadConfiguration.Load(a.GivenArguments());
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var loggers = Logging.Create();
        return Zsad.Host.ServeHost.RunAsync(options, loggers, stop.Token, service =>
        {
            // One stdout line once everything listens: scripts and tests wait for it.
            var dicom = service.Listener is null ? "-" : $"{options.Listener.Bind}:{service.ListenerPort}";
            var http = service.HttpPort is { } port ? $"{options.Http.Bind}:{port}" : "-";
            Console.Out.WriteLine($"zsad serve ready: roles {options.Role}, dicom {dicom}, http {http}");
            Console.Out.Flush();
        }).GetAwaiter().GetResult();
    }

    /// <summary>`zsad health [--url U]`: exit 0 when /health answers 200 (container healthchecks: the images carry no curl).</summary>
    private static int Health(CommandArgs a)
    {
        var url = a.RequiredOption("url");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = http.GetAsync(url).GetAwaiter().GetResult();
            Console.Out.WriteLine(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"zsad: health: {url}: {ex.Message}");
            return 1;
        }
    }

    private static int Replay(CommandArgs a)
    {
        if (a.Option("pacs") is not null)
            return PacsReplay(a);
        using var loggers = Logging.Create();
        var summary = Zsad.Host.Replay.ReplayRunner.RunAsync(new Zsad.Host.Replay.ReplayOptions(
            a.RequiredOption("input"), a.RequiredOption("out"), a.RequiredOption("detector"),
            a.Option("normals"), a.RequiredOption("threshold")) { AllowUncalibrated = a.Flag("allow-uncalibrated") }, loggers, Console.Out).GetAwaiter().GetResult();
        Console.Out.WriteLine($"replay: {summary.Cases} case(s), {summary.Processed} processed, {summary.Skipped} done before, {summary.Failed.Count} failed");
        foreach (var f in summary.Failed)
            Console.Out.WriteLine($"  FAILED {f}");
        Console.Out.WriteLine($"maps: {Path.Combine(Path.GetFullPath(a.RequiredOption("out")), "maps")}, masks: {Path.Combine(Path.GetFullPath(a.RequiredOption("out")), "masks")}");
        Console.Out.WriteLine(summary.ReportPath is null ? "no ground truth: no evaluation report" : $"report: {summary.ReportPath}");
        return summary.Failed.Count == 0 ? 0 : 1;
    }

    /// <summary>`zsad replay --pacs AE@host:port ...`: series found by C-FIND, pulled by C-GET or C-MOVE, through the pipeline.</summary>
    private static int PacsReplay(CommandArgs a)
    {
        if (a.Flag("get") && a.Option("move-to") is not null)
            throw new UsageException("--get and --move-to exclude each other");
        if (a.Option("input") is not null)
            throw new UsageException("--input and --pacs exclude each other");
        var pacs = a.RequiredOption("pacs");
        var calling = a.RequiredOption("aet");
        using var loggers = Logging.Create();
        Zsad.Host.Replay.ReplaySummary summary;
        try
        {
            var options = new Zsad.Host.Replay.PacsReplayOptions
            {
                Pacs = pacs,
                Output = a.RequiredOption("out"),
                Detector = a.Option("detector") ?? Zsad.Inference.Detection.DetectorCatalog.DefaultDetector,
                Normals = a.Option("normals"),
                AllowUncalibrated = a.Flag("allow-uncalibrated"),
                Threshold = a.Option("threshold") ?? "calibrated",
                CallingAE = calling,
                MoveTo = a.Option("move-to"),
                ListenerPort = a.IntOption("port"),
                Studies = a.Option("study")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
                Modality = a.Option("modality"),
                Since = a.Option("since") is { } since ? Zsad.Host.Replay.PacsReplayOptions.ParseDate("--since", since) : null,
                Until = a.Option("until") is { } until ? Zsad.Host.Replay.PacsReplayOptions.ParseDate("--until", until) : null,
                Description = a.Option("description"),
                Resume = a.Flag("resume"),
                Destination = a.Option("dest"),
                MaxPending = a.IntOption("max-pending"),
            };
            summary = Zsad.Host.Replay.PacsReplayRunner.RunAsync(options, loggers, Console.Out).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is ArgumentException or Zsad.Dicom.Network.QueryRetrieve.DicomQueryRetrieveException or InvalidDataException
            or Zsad.Dicom.Network.DicomAssociationRejectedException or Zsad.Dicom.Network.DicomAssociationAbortedException or Zsad.Dicom.Network.DicomProtocolException
            or IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            // A refused option value is a usage error (2), like every other command's; the PACS's failures are 1.
            Console.Error.WriteLine($"zsad replay: {PacsError(ex, pacs, calling)}");
            return ex is ArgumentException ? 2 : 1;
        }
        Console.Out.WriteLine($"replay: {summary.Cases} series, {summary.Processed} processed, {summary.Skipped} done before, {summary.Failed.Count} failed");
        foreach (var f in summary.Failed)
            Console.Out.WriteLine($"  FAILED {f}");
        Console.Out.WriteLine($"manifest: {summary.ReportPath}");
        return summary.Failed.Count == 0 ? 0 : 1;
    }

    /// <summary>One line an operator can act on, naming the PACS for association failures.</summary>
    private static string PacsError(Exception ex, string pacs, string callingAE) => ex switch
    {
        Zsad.Dicom.Network.DicomAssociationRejectedException { Reject: var rj } => $"{pacs} rejected the association ({rj}{rj.Reason switch
        {
            Zsad.Dicom.Network.AssociateReject.ReasonCalledAENotRecognized when rj.Source == Zsad.Dicom.Network.AssociateReject.SourceServiceUser => ": called AE title not recognised",
            Zsad.Dicom.Network.AssociateReject.ReasonCallingAENotRecognized when rj.Source == Zsad.Dicom.Network.AssociateReject.SourceServiceUser => $": calling AE title '{callingAE}' not recognised",
            _ => "",
        }})",
        System.Net.Sockets.SocketException or TimeoutException => $"cannot reach {pacs}: {ex.Message}",
        _ => ex.Message,
    };

    private static int Seg(CommandArgs a) => Zsad.Reporter.Cli.ReporterCommands.Seg(
        a.RequiredOption("source"), a.RequiredOption("map"), a.Option("threshold"), a.RequiredOption("out"), a.Flag("fractional"),
        a.Option("detector"), a.Option("min-size"), a.Option("dest"), a.Option("dead-letter"), Console.Out);

    private static int Evaluate(CommandArgs a) => Zsad.Reporter.Cli.ReporterCommands.Evaluate(
        a.RequiredOption("pred"), a.RequiredOption("truth"), a.RequiredOption("out"), a.Option("threshold"), Console.Out);

    private static int Export(CommandArgs a) => Zsad.Reporter.Cli.ReporterCommands.Export(
        a.Positional, a.Option("dest"), a.Option("dead-letter"), a.Flag("retry"), Console.Out);

    private static int Train(CommandArgs a) => Zsad.Training.Cli.TrainCommand.Run(a.RequiredOption("bundle"), a.RequiredOption("data"), a.RequiredOption("out"),
        new Zsad.Training.TrainingOptions
        {
            FromScratch = a.Flag("from-scratch"),
            Epochs = a.IntOption("epochs"),
            LearningRate = a.NumberOption("lr"),
            BatchSize = a.IntOption("batch"),
            ValidationFraction = a.NumberOption("val-fraction"),
            Seed = a.IntOption("seed"),
            Augment = a.IntOption("augment"),
            Patience = a.IntOption("patience"),
            Setup = a.Option("setup"),
        }, Console.Out, Console.Error);

    private static int Study(CommandArgs a)
    {
        var settings = new (string Flag, HeldOutStudy.Setting Setting)[]
            { ("held-out", HeldOutStudy.FirstDraw), ("development", HeldOutStudy.Development), ("development-strong", HeldOutStudy.StrongDevelopment) }
            .Where(s => a.Flag(s.Flag)).ToList();
        if (a.Option("held-out-draw") is not null)
        {
            var k = a.IntOption("held-out-draw");
            settings.Add(("held-out-draw", k is >= 2 and <= HeldOutStudy.LastDraw ? HeldOutStudy.Draw(k)
                : throw new UsageException($"--held-out-draw: {k} is not a draw of 2 to {HeldOutStudy.LastDraw} (the first is --held-out)")));
        }
        if (settings.Count > 1)
            throw new UsageException("--" + string.Join(", --", settings.Select(s => s.Flag)) + ": give one study setting");
        if (settings.Count == 1)
        {
            var counts = a.RequiredOption("normals-count").Split(',').Select(t => int.TryParse(t, out var n) && n >= 1 ? n
                : throw new UsageException($"--normals-count: '{t}' is not a whole number of 1 or more")).ToList();
            var options = new Zsad.Inference.Detection.MemoryDetectorOptions();
            options = options with
            {
                HeightWindow = a.Option("height-window") is not null ? a.NumberOption("height-window") : options.HeightWindow,
                PoolStage2 = a.Flag("no-pool") ? false : a.Flag("pool") || options.PoolStage2,
                PositionScale = !a.Flag("no-position-scale") && options.PositionScale,
                SmoothingSigma = a.Option("smoothing-sigma") is not null ? a.NumberOption("smoothing-sigma") : options.SmoothingSigma,
                FineWeight = a.Option("fine-weight") is not null ? a.NumberOption("fine-weight") : options.FineWeight,
                IntensityWeight = a.Option("intensity-weight") is not null ? a.NumberOption("intensity-weight") : options.IntensityWeight,
                RangeWeight = a.Option("range-weight") is not null ? a.NumberOption("range-weight") : options.RangeWeight,
                RoughnessWeight = a.Option("roughness-weight") is not null ? a.NumberOption("roughness-weight") : options.RoughnessWeight,
                BlobWeight = a.Option("blob-weight") is not null ? a.NumberOption("blob-weight") : options.BlobWeight,
                SliceAxisSigmaMm = a.Option("slice-axis-sigma") is not null ? a.NumberOption("slice-axis-sigma") : options.SliceAxisSigmaMm,
                DelineationFraction = a.Option("delineation") is not null ? a.NumberOption("delineation") : options.DelineationFraction,
                CoreQuantile = a.Option("core-quantile") is not null ? a.NumberOption("core-quantile") : options.CoreQuantile,
                EdgeReachMm = a.Option("edge-reach") is not null ? a.NumberOption("edge-reach") : options.EdgeReachMm,
                DarkRimMm = a.Option("dark-rim") is not null ? a.NumberOption("dark-rim") : options.DarkRimMm,
                FalseFindingsPerScan = a.Option("false-findings") is not null ? a.NumberOption("false-findings") : options.FalseFindingsPerScan,
                // The cap counts standard deviations of the position scale; raw distances have other units.
                PatchCap = a.Option("patch-cap") is not null ? a.NumberOption("patch-cap") : a.Flag("no-position-scale") ? 0 : options.PatchCap,
            };
            Console.Out.WriteLine(Zsad.Cli.Study.HeldOutEvaluation.Run(a.IntOption("downsample"), counts, settings[0].Setting, progress: Console.Out,
                options: options, mapsDirectory: a.Option("maps")));
            return 0;
        }
        var slicing = Zsad.Inference.Detection.Views.SlicingOptions.Resolve(a.Option("views"), a.Option("through-plane-sigma"), null, null);
        Console.Out.WriteLine(Zsad.Cli.Study.DetectionStudy.Run(downsample: a.IntOption("downsample"), progress: Console.Out, slicing: slicing));
        return 0;
    }
}
