using System.Runtime.InteropServices;
using Zsad.Cli.Commands;

namespace Zsad.Cli;

/// <summary>The `zsad` command. Each verb lives in Commands/; errors end as one line on stderr and exit code 1
/// (2 for usage errors).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["dicom", "dump", .. var rest] => DicomCommands.Dump(new CommandArgs(rest, "json")),
                ["dicom", "convert", .. var rest] => DicomCommands.Convert(new CommandArgs(rest)),
                ["demo", .. var rest] => DemoCommand.Run(new CommandArgs(rest)),
                ["echo", .. var rest] => NetworkCommands.Echo(new CommandArgs(rest, "tls")),
                ["store", .. var rest] => NetworkCommands.Store(new CommandArgs(rest, "tls")),
                ["scp", .. var rest] => NetworkCommands.Scp(new CommandArgs(rest, "no-fsync")),
                ["volume", "convert", .. var rest] => Zsad.Listener.Commands.VolumeCommands.Convert(rest),
                ["serve", .. var rest] => Serve(rest),
                ["replay", .. var rest] => Replay(new CommandArgs(rest)),
                ["health", .. var rest] => Health(new CommandArgs(rest)),
                ["import", .. var rest] => Zsad.Listener.Commands.ListenerCommands.ImportAsync(rest, Logging.Create(), Console.Out, CancellationToken.None).GetAwaiter().GetResult(),
                ["infer", .. var rest] => Infer(new CommandArgs(rest)),
                ["train", .. var rest] => Zsad.Training.Cli.TrainCommand.Run(rest, Console.Out, Console.Error),
                ["seg", .. var rest] => Seg(new CommandArgs(rest, "fractional")),
                ["evaluate", .. var rest] => Evaluate(new CommandArgs(rest)),
                ["export", .. var rest] => Export(new CommandArgs(rest, "retry")),
                ["models", "list", ..] => Zsad.Inference.Cli.ModelsCommandHandler.List(Console.Out),
                ["models", "study", .. var rest] => Study(new CommandArgs(rest, "held-out", "development", "no-pool", "pool")),
                ["models", "build-memory", .. var rest] => BuildMemory(new CommandArgs(rest)),
                ["--version"] => Version(),
                _ => Usage(),
            };
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"zsad: {ex.Message}");
            return 2;
        }
        catch (Zsad.Host.Configuration.ZsadConfigurationException ex)
        {
            Console.Error.WriteLine($"zsad: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"zsad: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    private static int Infer(CommandArgs a) => Zsad.Inference.Cli.InferCommandHandler.Run(
        a.Option("detector"), a.RequiredOption("input"), a.RequiredOption("out"), a.Option("normals"), Console.Out,
        views: a.Option("views"), throughPlaneSigma: a.Option("through-plane-sigma"));

    private static int BuildMemory(CommandArgs a) => Zsad.Inference.Cli.ModelsCommandHandler.BuildMemory(
        a.RequiredOption("detector"), a.RequiredOption("normals"), a.RequiredOption("out"), a.Option("slice-step"), a.Option("max-bank-mb"), Console.Out, a.Option("fpr"));

    private static int Serve(IReadOnlyList<string> args)
    {
        Zsad.Host.Configuration.ZsadOptions options;
        try
        {
            options = Zsad.Host.Configuration.ZsadConfiguration.Load(args);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"{ex.Message}\n{Zsad.Host.Configuration.ZsadConfiguration.ServeUsage}");
        }
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
        var url = a.Option("url") ?? "http://127.0.0.1:8080/health";
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
        using var loggers = Logging.Create();
        var summary = Zsad.Host.Replay.ReplayRunner.RunAsync(new Zsad.Host.Replay.ReplayOptions(
            a.RequiredOption("input"), a.RequiredOption("out"), a.Option("detector") ?? Zsad.Inference.Detection.DetectorCatalog.DefaultDetector,
            a.Option("normals"), a.Option("threshold") ?? "calibrated"), loggers, Console.Out).GetAwaiter().GetResult();
        Console.Out.WriteLine($"replay: {summary.Cases} case(s), {summary.Processed} processed, {summary.Skipped} done before, {summary.Failed.Count} failed");
        foreach (var f in summary.Failed)
            Console.Out.WriteLine($"  FAILED {f}");
        Console.Out.WriteLine($"maps: {Path.Combine(Path.GetFullPath(a.RequiredOption("out")), "maps")}, masks: {Path.Combine(Path.GetFullPath(a.RequiredOption("out")), "masks")}");
        Console.Out.WriteLine(summary.ReportPath is null ? "no ground truth: no evaluation report" : $"report: {summary.ReportPath}");
        return summary.Failed.Count == 0 ? 0 : 1;
    }

    private static int Seg(CommandArgs a) => Zsad.Reporter.Cli.ReporterCommands.Seg(
        a.RequiredOption("source"), a.RequiredOption("map"), a.Option("threshold"), a.RequiredOption("out"), a.Flag("fractional"),
        a.Option("detector"), a.Option("min-size"), a.Option("dest"), a.Option("dead-letter"), Console.Out);

    private static int Evaluate(CommandArgs a) => Zsad.Reporter.Cli.ReporterCommands.Evaluate(
        a.RequiredOption("pred"), a.RequiredOption("truth"), a.RequiredOption("out"), a.Option("threshold"), Console.Out);

    private static int Export(CommandArgs a) => Zsad.Reporter.Cli.ReporterCommands.Export(
        a.Positional, a.Option("dest"), a.Option("dead-letter"), a.Flag("retry"), Console.Out);

    private static int Study(CommandArgs a)
    {
        if (a.Flag("held-out") || a.Flag("development"))
        {
            var counts = (a.Option("normals-count") ?? "1,2,4,8").Split(',').Select(t => int.TryParse(t, out var n) && n >= 1 ? n
                : throw new UsageException($"--normals-count: '{t}' is not a whole number of 1 or more")).ToList();
            var options = new Zsad.Inference.Detection.MemoryDetectorOptions();
            options = options with
            {
                PoolStage2 = a.Flag("no-pool") ? false : a.Flag("pool") || options.PoolStage2,
                SmoothingSigma = a.Option("smoothing-sigma") is { } sigma ? double.Parse(sigma, System.Globalization.CultureInfo.InvariantCulture) : options.SmoothingSigma,
            };
            Console.Out.WriteLine(Zsad.Cli.Study.HeldOutEvaluation.Run(a.IntOption("downsample", 1), counts, progress: Console.Out,
                development: a.Flag("development"), options: options));
            return 0;
        }
        var slicing = Zsad.Inference.Detection.Views.SlicingOptions.Resolve(a.Option("views"), a.Option("through-plane-sigma"), null, null);
        Console.Out.WriteLine(Zsad.Cli.Study.DetectionStudy.Run(downsample: a.IntOption("downsample", 1), progress: Console.Out, slicing: slicing));
        return 0;
    }

    private static int Version()
    {
        Console.WriteLine($"zsad {typeof(Program).Assembly.GetName().Version}");
        return 0;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: zsad <command>
              demo [--out DIR] [--seed N]                       the main job on embedded defaults: a synthetic study over
                                                                DICOM through the embedded service to a SEG and a report
              dicom dump FILE [--json]                          dump a DICOM file (DICOM JSON model with --json)
              dicom convert IN OUT --ts implicit|explicit|deflated|big|rle|<UID>
              echo --host H --port P --aec AE [--aet AE]        C-ECHO a DICOM peer
              store --host H --port P --aec AE [--aet AE] PATH...
                                                                C-STORE files and folders (recursive)
              scp --port P --aet AE --out DIR [--allow-calling AE,...] [--bind IP] [--no-fsync]
                                                                storage SCP writing <SOPInstanceUID>.dcm until SIGINT/SIGTERM
              volume convert INPUT OUT.nii.gz                   a DICOM series folder or a NIfTI file to NIfTI
              serve [--role all|listener|inference|reporter] [--config FILE] [--data DIR] [--port 11112] [--rabbitmq URI]
                    [--detector NAME] [--normals DIR|phantom] [--dest AE@host:port] [--http-port 8080] ...
                                                                the service: listener + inference + reporter (embedded
                                                                default: in-memory bus, local folders, PACS folder);
                                                                /health and /metrics on 127.0.0.1
              serve ... [--modality MR,...|any] [--plane axial,...] [--description REGEX] [--sop-class UID,...|any]
                    [--exclude-image-type LOCALIZER,DERIVED,...|none] [--late reprocess|keep]
                                                                which series the listener turns into volumes (any role set)
              replay --input DIR --out REPORT_DIR [--detector NAME] [--normals DIR|phantom] [--threshold T]
                                                                BraTS/DICOM/NIfTI archive through the pipeline, resumable;
                                                                maps/, masks/ and the evaluation report
              import --data DIR PATH...                         BraTS folders, DICOM folders or NIfTI files as VolumeReady
              infer [--detector NAME|BUNDLE_DIR] --input VOLUME.nii.gz --out MAP.nii.gz [--normals DIR]
                    [--views axial,coronal,sagittal] [--through-plane-sigma MM]
                                                                anomaly map in [0,1] on the input's grid (default resnet18-memory)
              train --bundle IN_BUNDLE --data DIR --out OUT_BUNDLE [--from-scratch] [--epochs N] [--lr X] [--batch B]
                  [--val-fraction F] [--seed S] [--augment K] [--patience P] [--setup NAME]
                                                                VAND adapters fitted on a BraTS-style folder -> a bundle
              seg --source DICOM_DIR --map MAP.nii.gz --out SEG.dcm [--threshold T|calibrated|f1max:PRED:TRUTH]
                  [--fractional] [--detector NAME] [--min-size N|Nmm3] [--dest AE@host:port[,...]] [--dead-letter DIR]
                                                                DICOM SEG (+ metric summary SR) from an anomaly map
              evaluate --pred DIR --truth DIR --out REPORT_DIR [--threshold T]
                                                                the seed paper's metrics, tables and figures
              export PATH... --dest AE@host:port[,...] [--dead-letter DIR]  |  export --retry [--dead-letter DIR]
                                                                C-STORE with retries; failures become dead letters
              health [--url http://127.0.0.1:8080/health]      exit 0 when the service is ready (container healthcheck)
              models list                                       built-in detectors and installed bundles
              models study [--downsample N] [--views V,...] [--through-plane-sigma MM]
                                                                the synthetic detection study of docs/detectors.md
              models study --held-out|--development [--downsample N] [--normals-count 1,2,4,8] [--pool|--no-pool] [--smoothing-sigma PX]
                                                                the held-out study (never used to pick settings), or its
                                                                lesion layout on the development generator
              models build-memory --detector resnet18-memory|BUNDLE_DIR --normals DIR --out OUT_BUNDLE
                    [--slice-step N] [--max-bank-mb MB] [--fpr 1e-4]
                                                                few-shot memory bank from normal volumes, in a bundle,
                                                                calibrated leave-one-out (--fpr: healthy-voxel FP rate)
              (echo/store/scp take --tls-cert F [--tls-key F] [--tls-password P] [--tls-trust F] for DICOM TLS)
            """);
        return 2;
    }
}
