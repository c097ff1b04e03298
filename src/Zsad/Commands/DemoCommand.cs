using System.Diagnostics;
using System.Net;
using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Series;
using Zsad.Imaging.Synthetic;

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
        Console.WriteLine("  4. detection, DICOM SEG and metrics: not available in this build (inference and reporter are not implemented yet)");
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
}
