using System.Diagnostics;
using System.Net;
using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Series;
using Zsad.Imaging.Synthetic;
using Zsad.Inference.Detection;
using Zsad.Reporter.Metrics;

namespace Zsad.Cli.Commands;

/// <summary>`zsad demo`: the main job on embedded defaults. A synthetic BraTS-like study with known lesions goes
/// over real DICOM (C-STORE on loopback) into an embedded storage SCP with durable intake, comes back out as a
/// volume, and is checked voxel for voxel against what was sent. Prints where everything is.</summary>
public static class DemoCommand
{
    public static int Run(CommandArgs args)
    {
        var output = Path.GetFullPath(args.Option("out") ?? "demo-out");
        var seed = args.IntOption("seed", 1);
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
        Console.WriteLine($"  1. synthetic study {study.Id}: {study.Image.SizeX}x{study.Image.SizeY}x{study.Image.SizeZ}, {study.Lesions.Count} lesions ({Voxels(study.LesionMask)} lesion voxels), written as {files.Count} MR instances");

        var intake = Path.Combine(output, "intake");
        var received = ReceiveOverDicom(sourceDir, intake).GetAwaiter().GetResult();
        Console.WriteLine($"  2. C-STORE over loopback into the embedded SCP: {received} of {files.Count} instances acknowledged after fsync, in {intake}");

        var series = DicomSeriesReader.ReadDirectory(intake, DicomFile.Open(files[0]).Dataset.GetString(DicomTags.SeriesInstanceUID));
        var identical = series.Volume.HasSameGrid(study.Image) && series.Volume.Data.AsSpan().SequenceEqual(study.Image.ToSingle().Data);
        if (!identical)
            throw new InvalidOperationException("the series read back from intake differs from the study that was sent");
        var volumes = Path.Combine(output, "volumes");
        Directory.CreateDirectory(volumes);
        var volumePath = Path.Combine(volumes, $"{study.Id}-t2w.nii.gz");
        var truthPath = Path.Combine(volumes, $"{study.Id}-seg.nii.gz");
        NiftiWriter.Write(series.Volume, volumePath);
        NiftiWriter.Write(study.LesionMask, truthPath);
        Console.WriteLine($"  3. series -> volume ({series.Volume.AxisCodes}, spacing {series.Volume.Spacing}), identical to what was sent: {volumePath}");
        Console.WriteLine($"     ground-truth lesion mask: {truthPath}");

        var (map, metrics) = Detect(series.Volume, study, output);
        Console.WriteLine($"  4. detector {ResNetMemoryDetector.DetectorName} (ImageNet ResNet18, PHANTOM references: lesion-free synthetic brains of other seeds)");
        Console.WriteLine($"     map: {map}");
        Console.WriteLine($"     on this synthetic phantom, threshold 0.5: Dice {metrics.Dice:F3}, sensitivity {metrics.Sensitivity:F3}, PPV {metrics.Ppv:F3}, lesions found {metrics.Lesions.Detected}/{metrics.Lesions.Lesions}, false-positive components {metrics.Lesions.FalsePositives}");
        Console.WriteLine("     (a phantom, not patients: these numbers say the pipeline works, not how well it detects metastases)");
        Console.WriteLine("  5. DICOM SEG: not in this build yet");
        Console.WriteLine($"done in {watch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static async Task<int> ReceiveOverDicom(string sourceDir, string intake)
    {
        var store = new Part10FolderStore(intake);
        await using var server = new DicomServer(new DicomServerOptions { BindAddress = IPAddress.Loopback, Port = 0, AETitle = "ZSAD" }, store.StoreAsync);
        server.Start();
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", CallingAE = "ZSAD-DEMO" });
        var results = await client.StoreFilesAsync([sourceDir]);
        var failed = results.Where(r => !r.IsStored).ToList();
        if (failed.Count > 0)
            throw new InvalidOperationException($"{failed.Count} instances were not stored: {failed[0]}");
        await server.StopAsync(TimeSpan.FromSeconds(5));
        return results.Count;
    }

    private static int Voxels(Volume<byte> mask) => mask.Data.Count(v => v != 0);

    /// <summary>Runs the default detector with phantom references (never the study's own seed) and scores its map
    /// against the known lesions with the seed paper's metrics.</summary>
    private static (string MapPath, SubjectMetrics Metrics) Detect(Volume<float> volume, SyntheticStudy study, string output)
    {
        using var detector = ResNetMemoryDetector.Build(DetectorCatalog.PhantomNormals());
        var result = detector.Detect(volume);
        var maps = Path.Combine(output, "maps");
        Directory.CreateDirectory(maps);
        var mapPath = Path.Combine(maps, $"{study.Id}.nii.gz");
        NiftiWriter.Write(result.Map, mapPath);
        var truth = Array.ConvertAll(study.LesionMask.Data, v => v != 0);
        var shape = new VolumeShape(volume.SizeX, volume.SizeY, volume.SizeZ);
        var metrics = new MetricsEvaluator(threshold: 0.5f).Add(study.Id, result.Map.Data, truth, shape);
        return (mapPath, metrics);
    }
}
