using System.Text.Json;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Bundles;
using Zsad.Inference.Engine;

namespace Zsad.Training.Data;

/// <summary>The frozen encoder's raw patch tokens of every brain slice, extracted once and kept on disk:
/// <c>tokens.f32</c> holds one fixed-size record per slice (all layers' [grid², dim] blocks, float32 LE),
/// <c>targets.u8</c> one S x S byte mask per slice, <c>cache.json</c> the index and the key (data hash + encoder
/// hash) it was built for. Batches are read back by offset, so memory stays at one batch whatever the data size.</summary>
public sealed class FeatureCache
{
    /// <summary>One cached record: slice z of a subject, view 0 as acquired, views 1.. augmented.</summary>
    public sealed record SliceEntry(string Subject, int Z, int View = 0);

    /// <summary>Augmented views to add per slice of the given (training) subjects.</summary>
    public sealed record AugmentationPlan(int Views, int Seed, IReadOnlySet<string> Subjects);

    internal sealed record Index(string Key, int Size, List<int[]> Layers, List<SliceEntry> Slices);

    private readonly string _tokensPath;
    private readonly string _targetsPath;

    private FeatureCache(string folder, Index index)
    {
        Folder = folder;
        Key = index.Key;
        Size = index.Size;
        Layers = index.Layers.Select(l => (l[0], l[1])).ToArray();
        Slices = index.Slices;
        RecordFloats = Layers.Sum(l => l.Grid * l.Grid * l.Dim);
        _tokensPath = Path.Combine(folder, "tokens.f32");
        _targetsPath = Path.Combine(folder, "targets.u8");
    }

    public string Folder { get; }
    public string Key { get; }
    public int Size { get; }
    public IReadOnlyList<(int Grid, int Dim)> Layers { get; }
    public IReadOnlyList<SliceEntry> Slices { get; }
    public int RecordFloats { get; }

    /// <summary>Opens the cache in <paramref name="folder"/> if it was built for <paramref name="key"/>, else
    /// (re)builds it from the dataset with the bundle's encoder.</summary>
    public static FeatureCache OpenOrBuild(string folder, string key, BratsDataset data, DetectorBundle bundle,
        EngineOptions? engineOptions = null, Action<string>? progress = null, AugmentationPlan? augmentation = null)
    {
        var indexPath = Path.Combine(folder, "cache.json");
        if (File.Exists(indexPath) && JsonSerializer.Deserialize(File.ReadAllText(indexPath), TrainingJsonContext.Default.Index) is { } existing && existing.Key == key)
            return new FeatureCache(folder, existing);
        Directory.CreateDirectory(folder);
        File.Delete(indexPath);
        var pre = new SlicePreprocessor(bundle);
        var layers = bundle.Layers.Select(l => new[] { l.Grid!.Value, l.Dim!.Value }).ToList();
        using var engine = OnnxEngine.Create(bundle.EncoderPath, engineOptions);
        var outputs = bundle.Layers.Select(l => IndexOf(engine, l.Output!, bundle)).ToArray();
        var slices = new List<SliceEntry>();
        using (var tokens = new FileStream(Path.Combine(folder, "tokens.f32"), FileMode.Create, FileAccess.Write))
        using (var targets = new FileStream(Path.Combine(folder, "targets.u8"), FileMode.Create, FileAccess.Write))
        {
            var pending = 0;
            void Flush()
            {
                if (pending == 0)
                    return;
                var result = engine.Run(pending);
                for (var o = 0; o < outputs.Length; o++)
                {
                    var (grid, dim) = (layers[o][0], layers[o][1]);
                    if (engine.OutputItemShapes[outputs[o]] is not [var p, var d] || p != grid * grid || d != dim)
                        throw new TrainingException($"detector bundle {bundle.Directory}: encoder output '{bundle.Layers[o].Output}' is [{string.Join(", ", engine.OutputItemShapes[outputs[o]])}] per slice, the manifest says [{grid * grid}, {dim}]");
                }
                for (var b = 0; b < pending; b++)
                    for (var o = 0; o < outputs.Length; o++)
                    {
                        var n = layers[o][0] * layers[o][0] * layers[o][1];
                        tokens.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(result[outputs[o]].AsSpan(b * n, n)));
                    }
                pending = 0;
            }
            void Enqueue(float[] square, float[] target, SliceEntry entry)
            {
                pre.Channels3(square, engine.Input.Slice(pending * engine.ItemSize, engine.ItemSize));
                foreach (var t in target)
                    targets.WriteByte(t > 0 ? (byte)1 : (byte)0);
                slices.Add(entry);
                if (++pending == engine.MaxBatch)
                    Flush();
            }
            foreach (var subject in data.Subjects)
            {
                progress?.Invoke($"extracting {subject.Id}");
                var image = ReadVolume(subject.ImagePath, subject.Id);
                var label = ReadVolume(subject.SegmentationPath, subject.Id);
                if (label.SizeX != image.SizeX || label.SizeY != image.SizeY || label.SizeZ != image.SizeZ)
                    throw new TrainingException($"training data: subject {subject.Id}: segmentation is {label.SizeX}x{label.SizeY}x{label.SizeZ}, the t2w image {image.SizeX}x{image.SizeY}x{image.SizeZ}");
                var brain = BrainMask.Compute(image);
                var imageSlices = image.Slices(AnatomicalPlane.Axial);
                var labelSlices = label.Slices(AnatomicalPlane.Axial);
                var brainSlices = brain.Slices(AnatomicalPlane.Axial);
                var (w, h) = (imageSlices.Width, imageSlices.Height);
                var pixels = new float[w * h];
                var labels = new float[w * h];
                var mask = new byte[w * h];
                for (var z = 0; z < imageSlices.Count; z++)
                {
                    brainSlices.CopySlice(z, mask);
                    if (!mask.AsSpan().ContainsAnyExcept((byte)0))
                        continue;
                    imageSlices.CopySlice(z, pixels);
                    labelSlices.CopySlice(z, labels);
                    for (var p = 0; p < labels.Length; p++)
                        labels[p] = labels[p] > 0 ? 1 : 0;
                    var square = pre.Square(pixels, mask, w, h);
                    var target = pre.Target(labels, w, h);
                    Enqueue(square, target, new SliceEntry(subject.Id, z));
                    if (augmentation is { Views: > 0 } plan && plan.Subjects.Contains(subject.Id))
                        for (var view = 1; view <= plan.Views; view++)
                        {
                            var random = new Random(unchecked(((plan.Seed * 31 + StableHash(subject.Id)) * 31 + z) * 31 + view));
                            var (augmentedImage, augmentedTarget) = Augmentation.View(square, target, pre.Size, random);
                            Enqueue(augmentedImage, augmentedTarget, new SliceEntry(subject.Id, z, view));
                        }
                }
            }
            Flush();
        }
        var index = new Index(key, pre.Size, layers, slices);
        File.WriteAllText(indexPath, JsonSerializer.Serialize(index, TrainingJsonContext.Default.Index));
        return new FeatureCache(folder, index);
    }

    /// <summary>Tokens of one slice, per layer [grid², dim].</summary>
    public float[][] ReadTokens(int slice)
    {
        var record = new float[RecordFloats];
        using (var file = File.OpenHandle(_tokensPath))
            RandomAccess.Read(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(record.AsSpan()), (long)slice * RecordFloats * sizeof(float));
        var result = new float[Layers.Count][];
        var offset = 0;
        for (var l = 0; l < Layers.Count; l++)
        {
            var n = Layers[l].Grid * Layers[l].Grid * Layers[l].Dim;
            result[l] = record.AsSpan(offset, n).ToArray();
            offset += n;
        }
        return result;
    }

    public float[] ReadTarget(int slice)
    {
        var bytes = new byte[Size * Size];
        using (var file = File.OpenHandle(_targetsPath))
            RandomAccess.Read(file, bytes, (long)slice * bytes.Length);
        return bytes.Select(b => (float)b).ToArray();
    }

    // string.GetHashCode is randomised per process; views must be the same in every run.
    private static int StableHash(string text)
    {
        var h = 17;
        foreach (var ch in text)
            h = unchecked(h * 31 + ch);
        return h;
    }

    private static Volume<float> ReadVolume(string path, string subject)
    {
        try
        {
            return NiftiReader.Read(path).ToSingle();
        }
        catch (NiftiFormatException ex)
        {
            throw new TrainingException($"training data: subject {subject}: {Path.GetFileName(path)}: {ex.Message}");
        }
    }

    private static int IndexOf(OnnxEngine engine, string name, DetectorBundle bundle)
    {
        for (var i = 0; i < engine.OutputNames.Count; i++)
            if (engine.OutputNames[i] == name)
                return i;
        throw new TrainingException($"detector bundle {bundle.Directory}: the encoder has no output '{name}'");
    }
}
