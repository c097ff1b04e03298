using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Host;
using Zsad.Host.Configuration;
using Zsad.Host.Pipeline;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Series;
using Zsad.Imaging.Synthetic;
using Zsad.Inference.Detection;
using Zsad.Listener.Intake;
using Zsad.Reporter.Evaluation;
using Zsad.Reporter.Metrics;

namespace Zsad.Cli.Commands;

/// <summary>`zsad demo`: the main job on embedded defaults, through the same pipeline `zsad serve` runs. A synthetic
/// BraTS-like study with known lesions goes over real DICOM (C-STORE on loopback) into the embedded listener (durable
/// intake, series assembly, outbox, in-memory bus), the default detector maps it with phantom references, and the
/// reporter writes the SEG and summary SR, files them in the PACS folder and evaluates against the known lesions.
/// Prints where everything is.</summary>
public static class DemoCommand
{
    public static int Run(CommandArgs args)
    {
        var output = Path.GetFullPath(args.RequiredOption("out"));
        var seed = args.IntOption("seed");
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(output);
        Console.WriteLine($"zsad demo -> {output}");

        var study = SyntheticBrainStudy.Create($"ZSAD-DEMO-{seed:D3}", seed);
        var sourceDir = Path.Combine(output, "source", study.Id);
        if (Directory.Exists(sourceDir))
            Directory.Delete(sourceDir, recursive: true);
        var files = DicomSeriesWriter.Write(study.Image, sourceDir, new MrSeriesOptions
        {
            PatientName = "Demo^Synthetic",
            PatientId = study.Id,
            UidSeed = study.Id,
            SeriesDescription = "synthetic t2w axial",
            ImageType = ["DERIVED", "SECONDARY", "OTHER"],
        });
        var first = DicomFile.Open(files[0]).Dataset;
        var studyUid = first.GetRequiredString(DicomTags.StudyInstanceUID);
        var seriesUid = first.GetRequiredString(DicomTags.SeriesInstanceUID);
        Console.WriteLine($"  1. synthetic study {study.Id}: {study.Image.SizeX}x{study.Image.SizeY}x{study.Image.SizeZ}, {study.Lesions.Count} lesions ({Voxels(study.LesionMask)} lesion voxels), written as {files.Count} MR instances");

        // The known lesions, where the reporter looks up ground truth for network series (by SeriesInstanceUID).
        var truthDir = Path.Combine(output, "truth");
        Directory.CreateDirectory(truthDir);
        NiftiWriter.Write(study.LesionMask, Path.Combine(truthDir, seriesUid + ".nii.gz"));

        var service = Path.Combine(output, "service");
        if (Directory.Exists(service))
            Directory.Delete(service, recursive: true); // a rerun is a new demo, not a redelivery of the last one
        var options = new ZsadOptions
        {
            DataDirectory = service,
            Role = "all",
            RabbitMq = null,
            Listener = new ZsadOptions.ListenerSettings { Port = 0, QuietSeconds = 1 },
            // A phantom demo: its references are phantoms on purpose, so it asks for the SEG explicitly.
            Inference = new ZsadOptions.InferenceSettings { Normals = ZsadOptions.InferenceSettings.PhantomNormals, AllowUncalibrated = true },
            Reporter = new ZsadOptions.ReporterSettings
            {
                OutputDirectory = Path.Combine(output, "report"),
                PacsDirectory = Path.Combine(output, "pacs"),
                GroundTruthDirectory = truthDir,
            },
            Http = new ZsadOptions.HttpSettings { Enabled = false },
        };
        var (received, outcome, listenerPort) = RunPipeline(options, sourceDir).GetAwaiter().GetResult();
        Console.WriteLine($"  2. C-STORE over loopback into the embedded listener (port {listenerPort}): {received} of {files.Count} instances acknowledged after fsync");

        // The durable intake of that series: one folder per (called AE, study, series).
        var seriesDir = Path.Combine(options.IntakePath, "series", new SeriesKey("ZSAD", studyUid, seriesUid).DirectoryName);
        var series = DicomSeriesReader.ReadDirectory(seriesDir, seriesUid);
        var identical = series.Volume.HasSameGrid(study.Image) && series.Volume.Data.AsSpan().SequenceEqual(study.Image.ToSingle().Data);
        if (!identical)
            throw new InvalidOperationException("the series read back from intake differs from the study that was sent");
        var volumes = Path.Combine(output, "volumes");
        Directory.CreateDirectory(volumes);
        var volumePath = Path.Combine(volumes, $"{study.Id}-t2w.nii.gz");
        var truthPath = Path.Combine(volumes, $"{study.Id}-seg.nii.gz");
        NiftiWriter.Write(series.Volume, volumePath);
        NiftiWriter.Write(study.LesionMask, truthPath);
        Console.WriteLine($"  3. intake {seriesDir}: series -> volume ({series.Volume.AxisCodes}, spacing {series.Volume.Spacing}), identical to what was sent: {volumePath}");
        Console.WriteLine($"     ground-truth lesion mask: {truthPath}");

        // The map under the case's name as well, in the BraTS-style layout `zsad evaluate` reads.
        var maps = Path.Combine(output, "maps");
        Directory.CreateDirectory(maps);
        var mapPath = Path.Combine(maps, $"{study.Id}.nii.gz");
        File.Copy(outcome.MapPath, mapPath, overwrite: true);
        var map = NiftiReader.Read(mapPath).ToSingle();
        var metrics = new MetricsEvaluator(threshold: 0.5f).Add(study.Id, map.Data, Array.ConvertAll(study.LesionMask.Data, v => v != 0),
            new VolumeShape(map.SizeX, map.SizeY, map.SizeZ));
        Console.WriteLine($"  4. detector {outcome.Detector} (ImageNet ResNet18, PHANTOM references: lesion-free synthetic brains of other seeds)");
        Console.WriteLine($"     map: {mapPath} (mask: {outcome.MaskPath})");
        Console.WriteLine($"     on this synthetic phantom, threshold 0.5: Dice {metrics.Dice:F3}, sensitivity {metrics.Sensitivity:F3}, PPV {metrics.Ppv:F3}, lesions found {metrics.Lesions.Detected}/{metrics.Lesions.Lesions}, false-positive components {metrics.Lesions.FalsePositives}");
        Console.WriteLine("     (a phantom, not patients: these numbers say the pipeline works, not how well it detects metastases)");
        Console.WriteLine($"  5. DICOM SEG series {outcome.SegSeriesInstanceUid} ({outcome.SegmentedVoxels} voxels): {outcome.SegPath}");
        Console.WriteLine($"     summary SR: {outcome.SummaryPath}");
        Console.WriteLine($"     sent to the file-system PACS: {Path.Combine(options.PacsPath, studyUid)}");
        Console.WriteLine($"  6. report: {Path.Combine(Path.GetDirectoryName(outcome.MetricsPath!)!, EvaluationReport.HtmlFile)} (metrics: {outcome.MetricsPath})");
        Console.WriteLine($"done in {watch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    /// <summary>Starts the embedded service, sends the series to its listener and waits (bounded) for the report.</summary>
    private static async Task<(int Received, ReportOutcome Outcome, int Port)> RunPipeline(ZsadOptions options, string sourceDir)
    {
        await using var service = new ZsadService(options, NullLoggerFactory.Instance);
        var reported = new TaskCompletionSource<ReportOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        service.Reported += o => reported.TrySetResult(o);
        service.Faulted += (id, error) => reported.TrySetException(new InvalidOperationException($"the pipeline failed on volume {id}: {error}"));
        await service.StartAsync();
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = service.ListenerPort, CalledAE = "ZSAD", CallingAE = "ZSAD-DEMO" });
        var results = await client.StoreFilesAsync([sourceDir]);
        var failed = results.Where(r => !r.IsStored).ToList();
        if (failed.Count > 0)
            throw new InvalidOperationException($"{failed.Count} instances were not stored: {failed[0]}");
        var outcome = await reported.Task.WaitAsync(TimeSpan.FromMinutes(5));
        return (results.Count, outcome, service.ListenerPort);
    }

    private static int Voxels(Volume<byte> mask) => mask.Data.Count(v => v != 0);
}
