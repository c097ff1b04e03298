using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Zsad.Imaging;
using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Bundles;
using Zsad.Inference.Detection;
using Zsad.Inference.Detection.Views;
using Zsad.Inference.Engine;
using Zsad.Inference.Heads;

namespace Zsad.Inference.Memory;

/// <summary>`zsad models build-memory`: a few-shot memory bank built from normal reference volumes, stored in a
/// bundle so inference never rebuilds it. For the built-in resnet18-memory detector the result is a feature-memory
/// bundle; for a CLIP bundle whose head takes a memory, a copy of that bundle with the bank of per-layer encoder
/// outputs of the normal brain slices (WinCLIP: also one bank of window embeddings per window scale) and the few-shot
/// image score (layouts in docs/bundle-format.md, "Few-shot memory banks").</summary>
public static class MemoryBankBuilder
{
    /// <summary>Default bank size limit: a bank is read whole into memory at start.</summary>
    public const long DefaultMaxBankBytes = 4L << 30;

    /// <summary>CLIP methods whose head few-shot scores against a memory of its layer outputs, with the image score
    /// it sets.</summary>
    public static IReadOnlyDictionary<DetectorMethod, string> ClipMemoryMethods { get; } = new Dictionary<DetectorMethod, string>
    {
        [DetectorMethod.Vand] = "vand-few-shot",
        [DetectorMethod.Mvfa] = "max-map",
        [DetectorMethod.WinClip] = "winclip-few-shot",
    };

    /// <param name="falsePositiveRate">resnet18-memory: the share of healthy brain voxels (held out, leave one normal
    /// out) at or above the map's 0.5; default <see cref="VoxelCalibration.DefaultFalsePositiveRate"/>.</param>
    /// <param name="resNet">resnet18-memory: settings changed from the detector's defaults.</param>
    public static string Build(string detectorOrBundle, string normalsDirectory, string outDirectory, int? sliceStep = null,
        long maxBankBytes = DefaultMaxBankBytes, EngineOptions? engine = null, ILogger? logger = null, double? falsePositiveRate = null,
        ResNetMemoryOverrides? resNet = null)
    {
        resNet ??= ResNetMemoryOverrides.None;
        if (falsePositiveRate is { } rate)
            VoxelCalibration.CheckRate(rate);
        resNet.Check();
        if (sliceStep is < 1)
            throw new ArgumentException($"--slice-step must be 1 or more, not {sliceStep}");
        if (maxBankBytes < 1)
            throw new ArgumentException($"the bank size limit must be positive, not {maxBankBytes} bytes");
        if (Directory.Exists(outDirectory) && Directory.EnumerateFileSystemEntries(outDirectory).Any())
            throw new IOException($"the output folder {outDirectory} exists and is not empty");
        // Resolve the detector before reading normals, so a wrong name fails in the first second.
        var isResNet = detectorOrBundle == ResNetMemoryDetector.DetectorName;
        DetectorBundle? source = null;
        if (!isResNet)
        {
            var bundleDir = Directory.Exists(detectorOrBundle) ? detectorOrBundle : Path.Combine(DetectorCatalog.BundleDirectory, detectorOrBundle);
            if (!Directory.Exists(bundleDir))
                throw new ArgumentException($"unknown detector '{detectorOrBundle}': build-memory takes {ResNetMemoryDetector.DetectorName} or a CLIP bundle folder whose method takes a memory bank ({string.Join(", ", ClipMemoryMethods.Keys.Select(Spelling))})");
            source = BundleLoader.Load(bundleDir);
            if (!ClipMemoryMethods.ContainsKey(source.Method))
                throw new ArgumentException($"bundle '{source.Name}' (method {source.Manifest.Method}) takes no memory bank (methods that do: {string.Join(", ", ClipMemoryMethods.Keys.Select(Spelling))}, and the built-in {ResNetMemoryDetector.DetectorName})");
        }
        if (!isResNet && resNet.FirstFlag is { } flag)
            throw new ArgumentException($"{flag} belongs to {ResNetMemoryDetector.DetectorName}'s calibration; bundle '{source!.Name}' has none");
        var normals = NormalReferences.Load(normalsDirectory);
        var masks = normals.Volumes.Select(v => BrainMask.Compute(v.Volume)).ToList();
        for (var v = 0; v < masks.Count; v++)
            if (!masks[v].Data.AsSpan().ContainsAnyExcept((byte)0))
                throw new ArgumentException($"normal volume '{normals.Volumes[v].Label}' in {normals.Directory} has no brain (its brain mask is empty)");

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDirectory)));
        var staging = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDirectory)) + ".building";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            if (isResNet)
                BuildResNet(normals, masks, staging, name, sliceStep, maxBankBytes, engine, logger, falsePositiveRate, resNet);
            else
                BuildClip(source!, normals, masks, staging, name, sliceStep ?? 1, maxBankBytes, engine, logger);
            if (Directory.Exists(outDirectory))
                Directory.Delete(outDirectory);
            Directory.Move(staging, outDirectory);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
        return outDirectory;
    }

    private static void BuildResNet(NormalReferences normals, List<Volume<byte>> masks, string outDirectory, string name, int? sliceStep, long maxBankBytes,
        EngineOptions? engine, ILogger? logger, double? falsePositiveRate, ResNetMemoryOverrides resNet)
    {
        var options = resNet.ApplyTo(new MemoryDetectorOptions());
        options = options with
        {
            NormalSliceStep = sliceStep ?? options.NormalSliceStep, FalsePositiveRate = falsePositiveRate ?? options.FalsePositiveRate,
        };
        // Each slice holds Grid² patches of Dim floats (and FineGrid² of FineDim with the fine detail); check the
        // estimate before spending minutes on features.
        var perSlice = (long)SliceFeatures.Grid * SliceFeatures.Grid * SliceFeatures.Dim
            + (options.FineWeight > 0 ? (long)SliceFeatures.FineGrid * SliceFeatures.FineGrid * SliceFeatures.FineDim : 0);
        var estimate = normals.Volumes.Zip(masks).Sum(p => BrainSlices(p.Second) / options.NormalSliceStep + 1) * perSlice * sizeof(float);
        CheckLimit(estimate, maxBankBytes);
        using var backbone = Backbones.ResNet18Backbone.Load(options: engine, logger: logger);
        using var detector = ResNetMemoryDetector.Build(normals.Volumes.Select(v => v.Volume).ToList(), backbone, options, logger, masks);
        FeatureMemoryBundle.Write(detector, outDirectory, Source(normals, detector.Bank.SliceCount, options.NormalSliceStep, null), name);
    }

    private static void BuildClip(DetectorBundle source, NormalReferences normals, List<Volume<byte>> masks, string outDirectory, string name, int sliceStep,
        long maxBankBytes, EngineOptions? engine, ILogger? logger)
    {
        var layers = source.Layers;
        if (layers.Select(l => l.Grid).Distinct().Count() != 1)
            throw new ArgumentException($"bundle '{source.Name}': a token memory needs every layer on one patch grid, the layers have grids {string.Join(", ", layers.Select(l => l.Grid))}");
        var patches = layers[0].Grid!.Value * layers[0].Grid!.Value;
        var width = layers.Sum(l => l.Dim!.Value);
        var embedDim = source.Manifest.EmbedDim!.Value;
        var windows = source.Windows;
        var rowsPerSlice = (long)patches * width + windows.Sum(w => (long)w.Count * embedDim);
        var estimate = normals.Volumes.Zip(masks).Sum(p => (BrainSlices(p.Second) + sliceStep - 1) / sliceStep) * rowsPerSlice * sizeof(float);
        CheckLimit(estimate, maxBankBytes);

        const string bankFile = "memory_bank.f32";
        string WindowBankFile(BundleWindow w) => $"memory_windows_{w.Scale}.f32";
        var slices = 0;
        using (var detector = new ClipDetector(source, engine, logger))
        using (var bank = File.Create(Path.Combine(outDirectory, bankFile)))
        {
            // WinCLIP: each slice's window embeddings, per scale, in the order the encoder yields them (after the layers).
            var windowBanks = windows.Select(w => File.Create(Path.Combine(outDirectory, WindowBankFile(w)))).ToList();
            using var closeWindowBanks = new CompositeDisposable(windowBanks);
            var row = new float[width];
            for (var v = 0; v < normals.Volumes.Count; v++)
            {
                foreach (var slice in detector.EncodeSlices(normals.Volumes[v].Volume, masks[v], sliceStep))
                {
                    // Row p: patch p's raw tokens of every layer, concatenated in manifest order (VandHead's layout).
                    for (var p = 0; p < patches; p++)
                    {
                        var offset = 0;
                        for (var l = 0; l < layers.Count; l++)
                        {
                            var dim = layers[l].Dim!.Value;
                            slice.Outputs[l].Span.Slice(p * dim, dim).CopyTo(row.AsSpan(offset, dim));
                            offset += dim;
                        }
                        bank.Write(MemoryMarshal.AsBytes(row.AsSpan()));
                    }
                    for (var w = 0; w < windows.Count; w++)
                        windowBanks[w].Write(MemoryMarshal.AsBytes(slice.Outputs[layers.Count + w].Span));
                    slices++;
                }
            }
        }
        logger?.LogInformation("token memory: {Slices} slices, {Rows} rows of {Width}", slices, slices * patches, width);

        // Copy every file the source hashes; edit the manifest as JSON so keys this build does not know survive.
        // A source that is already few-shot has its old banks replaced, not copied.
        var oldBanks = new HashSet<string?> { source.Manifest.MemoryBank?.Path };
        oldBanks.UnionWith(source.Manifest.Windows?.Select(w => w.MemoryBank?.Path) ?? []);
        foreach (var relative in source.Manifest.Files!.Keys)
        {
            if (oldBanks.Contains(relative))
                continue;
            var target = Path.Combine(outDirectory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(source.Directory, relative), target);
        }
        var manifest = JsonNode.Parse(File.ReadAllBytes(Path.Combine(source.Directory, BundleLoader.ManifestFileName)),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        var files = manifest["files"]!.AsObject();
        foreach (var oldBank in oldBanks.OfType<string>())
            files.Remove(oldBank);
        files[bankFile] = BundleLoader.Sha256(Path.Combine(outDirectory, bankFile));
        manifest["name"] = name;
        manifest["memoryBank"] = JsonSerializer.SerializeToNode(new ManifestTensor { Name = "memoryBank", Path = bankFile, Shape = [slices * patches, width] }, BundleJsonContext.Default.ManifestTensor);
        for (var w = 0; w < windows.Count; w++)
        {
            var file = WindowBankFile(windows[w]);
            files[file] = BundleLoader.Sha256(Path.Combine(outDirectory, file));
            manifest["windows"]![w]!["memoryBank"] = JsonSerializer.SerializeToNode(
                new ManifestTensor { Name = $"windows{windows[w].Scale}.memoryBank", Path = file, Shape = [slices * windows[w].Count, embedDim] }, BundleJsonContext.Default.ManifestTensor);
        }
        manifest["imageScore"] = ClipMemoryMethods[source.Method];
        manifest["memorySource"] = JsonSerializer.SerializeToNode(Source(normals, slices, sliceStep, source.Directory), BundleJsonContext.Default.MemorySource);
        File.WriteAllText(Path.Combine(outDirectory, BundleLoader.ManifestFileName), manifest.ToJsonString(BundleJsonContext.Default.Options));
    }

    private sealed class CompositeDisposable(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
                item.Dispose();
        }
    }

    private static MemorySource Source(NormalReferences normals, int slices, int sliceStep, string? sourceBundle) => new()
    {
        Volumes = normals.Volumes.Count,
        Slices = slices,
        SliceStep = sliceStep,
        Sha256 = normals.InputsSha256(),
        Inputs = normals.Volumes.Select(v => v.Label).ToList(),
        Created = DateTimeOffset.UtcNow,
        SourceBundle = sourceBundle,
    };

    private static void CheckLimit(long bytes, long limit)
    {
        if (bytes > limit)
            throw new ArgumentException($"the memory bank would take about {bytes / (1 << 20)} MiB, over the limit of {limit / (1 << 20)} MiB: use fewer normals, a larger --slice-step, or raise --max-bank-mb");
    }

    private static int BrainSlices(Volume<byte> mask)
    {
        var slices = mask.Slices(AnatomicalPlane.Axial);
        var pixels = new byte[slices.PixelCount];
        var count = 0;
        for (var z = 0; z < slices.Count; z++)
        {
            slices.CopySlice(z, pixels);
            if (pixels.AsSpan().ContainsAnyExcept((byte)0))
                count++;
        }
        return count;
    }

    private static string Spelling(DetectorMethod method) => BundleVocabulary.Methods.First(kv => kv.Value == method).Key;
}
