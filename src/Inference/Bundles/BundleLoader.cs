using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Zsad.Imaging.Preprocessing;
using Zsad.Inference.Onnx;

namespace Zsad.Inference.Bundles;

/// <summary>Reads and checks a detector bundle folder (docs/bundle-format.md). Every check that can fail names the
/// bundle and the mismatch, so a bad export is refused at start-up rather than producing a wrong map later.</summary>
public static partial class BundleLoader
{
    public const string ManifestFileName = "manifest.json";

    public static DetectorBundle Load(string directory)
    {
        var dir = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(dir))
            throw Fail(dir, "the bundle folder does not exist");
        var manifestPath = Path.Combine(dir, ManifestFileName);
        if (!File.Exists(manifestPath))
            throw Fail(dir, $"{ManifestFileName} is missing");
        DetectorManifest m;
        try
        {
            m = JsonSerializer.Deserialize(File.ReadAllBytes(manifestPath), BundleJsonContext.Default.DetectorManifest)
                ?? throw Fail(dir, $"{ManifestFileName} is null");
        }
        catch (JsonException ex)
        {
            throw Fail(dir, $"{ManifestFileName} is not valid JSON: {ex.Message}");
        }

        var schema = m.SchemaVersion ?? throw Missing(dir, "schemaVersion");
        if (schema != BundleVocabulary.SchemaVersion)
            throw Fail(dir, $"schemaVersion {schema} is not supported (this build reads {BundleVocabulary.SchemaVersion})");
        var methodName = m.Method ?? throw Missing(dir, "method");
        if (!BundleVocabulary.Methods.TryGetValue(methodName, out var method))
            throw Fail(dir, $"unknown method '{methodName}' (known: {string.Join(", ", BundleVocabulary.Methods.Keys)})");
        if (string.IsNullOrWhiteSpace(m.Backbone))
            throw Missing(dir, "backbone");
        OneOf(dir, "weights", m.Weights, BundleVocabulary.WeightsSetups);

        var input = m.Input ?? throw Missing(dir, "input");
        var size = input.Size ?? throw Missing(dir, "input.size");
        if (size < 1)
            throw Fail(dir, $"input.size must be positive, not {size}");
        var resize = OneOf(dir, "input.resize", input.Resize, BundleVocabulary.ResizeModes) == "bicubic" ? ResizeMode.Bicubic : ResizeMode.Bilinear;
        CheckChannels(dir, "input.mean", input.Mean, mustBePositive: false);
        CheckChannels(dir, "input.std", input.Std, mustBePositive: true);

        var embedDim = m.EmbedDim ?? throw Missing(dir, "embedDim");
        if (embedDim < 1)
            throw Fail(dir, $"embedDim must be positive, not {embedDim}");
        var layers = m.Layers ?? throw Missing(dir, "layers");
        if (layers.Count == 0)
            throw Fail(dir, "layers is empty: a detector needs at least one layer of patch features");
        for (var i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            if (string.IsNullOrWhiteSpace(l.Name) || string.IsNullOrWhiteSpace(l.Output))
                throw Fail(dir, $"layers[{i}] needs a name and an output");
            if (l.Grid is not > 0 || l.Dim is not > 0)
                throw Fail(dir, $"layers[{i}] ('{l.Name}') needs a positive grid and dim");
        }
        if (layers.Select(l => l.Name).Distinct().Count() != layers.Count)
            throw Fail(dir, "layers repeats a layer name");

        var isClip = method != DetectorMethod.FeatureMemory;
        var temperature = m.Temperature ?? (isClip ? throw Missing(dir, "temperature") : 1);
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw Fail(dir, $"temperature must be a positive number, not {temperature}");
        if (isClip)
            OneOf(dir, "mapOrder", m.MapOrder, BundleVocabulary.MapOrders);
        OneOf(dir, "layerReduction", m.LayerReduction, BundleVocabulary.LayerReductions);
        var sigma = m.SmoothingSigma ?? 0;
        if (!(sigma >= 0) || !double.IsFinite(sigma))
            throw Fail(dir, $"smoothingSigma must be 0 or more, not {sigma}");
        try
        {
            _ = Detection.Views.SlicingOptions.Resolve(null, null, m.Views, m.ThroughPlaneSigma);
        }
        catch (ArgumentException ex)
        {
            throw Fail(dir, ex.Message);
        }
        var imageScore = OneOf(dir, "imageScore", m.ImageScore, BundleVocabulary.ImageScores);
        if (imageScore is "global-softmax" or "vand-few-shot" or "hybrid-semantic-fusion" or "augmented-mean" or "winclip-few-shot" && string.IsNullOrWhiteSpace(m.GlobalOutput))
            throw Fail(dir, $"imageScore '{imageScore}' needs globalOutput (the encoder's global embedding)");

        // Files: every file the manifest uses must be hashed, and every hashed file must be present and match.
        var files = m.Files ?? throw Missing(dir, "files");
        var encoderName = m.Encoder ?? throw Missing(dir, "encoder");
        var used = new List<string> { encoderName };
        if (m.TextFeatures?.Path is { } tp)
            used.Add(tp);
        foreach (var a in m.Adapters ?? [])
            used.Add(a.Path ?? throw Fail(dir, $"adapter '{a.Name}' has no path"));
        if (m.MemoryBank?.Path is { } mp)
            used.Add(mp);
        if (m.PromptEmbeddings?.Path is { } pp)
            used.Add(pp);
        used.AddRange(WindowMemoryPaths(m));
        if (m.FeatureMemory?.Slices?.Path is { } sp)
            used.Add(sp);
        if (m.FeatureMemory?.MeanImage?.Path is { } ip)
            used.Add(ip);
        foreach (var u in used)
            if (!files.ContainsKey(u))
                throw Fail(dir, $"'{u}' is used by the manifest but has no sha256 in files");
        foreach (var (relative, expected) in files)
        {
            var path = Resolve(dir, relative);
            if (!File.Exists(path))
                throw Fail(dir, $"file '{relative}' listed in files is missing");
            var actual = Sha256(path);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw Fail(dir, $"sha256 of '{relative}' is {actual}, the manifest says {expected}");
        }

        var encoderPath = Resolve(dir, encoderName);
        var encoderOutputs = CheckEncoder(dir, encoderPath, size, layers, m.GlobalOutput, m.TextOutput);

        if (method == DetectorMethod.AdaClip && string.IsNullOrWhiteSpace(m.TextOutput))
            throw Fail(dir, "method 'adaclip' needs textOutput (the encoder's per-image text features [N, 2, embedDim]: its prompts depend on the image)");
        float[]? text = null;
        // With textOutput the encoder yields the text features per image; static ones are then optional.
        if (isClip && (m.TextFeatures is not null || m.TextOutput is null))
        {
            var t = m.TextFeatures ?? throw Fail(dir, $"method '{methodName}' needs textFeatures");
            text = ReadTensor(dir, t, "textFeatures");
            var shape = t.Shape!;
            var perLayer = shape.Count == 3 && shape[0] == layers.Count && shape[1] == 2;
            if (!(shape.Count == 2 && shape[0] == 2) && !perLayer)
                throw Fail(dir, $"textFeatures shape [{string.Join(", ", shape)}] must be [2, {embedDim}] or [{layers.Count}, 2, {embedDim}] (normal, abnormal per layer)");
            if (shape[^1] != embedDim)
                throw Fail(dir, $"textFeatures last dimension {shape[^1]} does not match embedDim {embedDim}");
        }

        var adapters = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var a in m.Adapters ?? [])
        {
            var name = a.Name ?? throw Fail(dir, "an adapter has no name");
            adapters[name] = ReadTensor(dir, a, $"adapter '{name}'");
        }
        // AdaCLIP's Linear_k adapters are inside its encoder graph (tools/export/zsad_export/adaclip.py).
        if (method is DetectorMethod.Vand or DetectorMethod.MediClip)
        {
            foreach (var l in layers)
            {
                var key = $"{l.Name}.weight";
                var a = m.Adapters?.FirstOrDefault(x => x.Name == key) ?? throw Fail(dir, $"method '{methodName}' needs adapter '{key}' for layer '{l.Name}'");
                if (a.Shape is not [var rows, var cols] || rows != embedDim || cols != l.Dim)
                    throw Fail(dir, $"adapter '{key}' shape [{string.Join(", ", a.Shape ?? [])}] must be [{embedDim}, {l.Dim}] (embedDim x layer dim)");
                // The authors' Linear / Conv1x1 adapters carry a bias; it is optional so that bias-free exports load.
                var bias = m.Adapters?.FirstOrDefault(x => x.Name == $"{l.Name}.bias");
                if (bias is not null && (bias.Shape is not [var length] || length != embedDim))
                    throw Fail(dir, $"adapter '{l.Name}.bias' shape [{string.Join(", ", bias.Shape ?? [])}] must be [{embedDim}] (embedDim)");
            }
        }

        float[]? bank = null;
        if (m.MemoryBank is not null && method is not (DetectorMethod.FeatureMemory or DetectorMethod.Vand or DetectorMethod.Mvfa or DetectorMethod.WinClip))
            throw Fail(dir, $"method '{methodName}' has no few-shot mode and does not read a memoryBank (few-shot: vand, mvfa, winclip)");
        // The few-shot modes of VAND, MVFA and WinCLIP keep their memory of normal patch features in the same
        // [M, sum of layer dims] form.
        if (method == DetectorMethod.FeatureMemory || (method is DetectorMethod.Vand or DetectorMethod.Mvfa or DetectorMethod.WinClip && m.MemoryBank is not null))
        {
            var b = m.MemoryBank ?? throw Fail(dir, "method 'feature-memory' needs memoryBank");
            // A feature-memory bank is read by FeatureMemoryBundle, slice by slice (ReadTensorChunks); here its file is checked.
            if (method == DetectorMethod.FeatureMemory)
                CheckTensorFile(dir, b, "memoryBank");
            else
                bank = ReadTensor(dir, b, "memoryBank");
            var featureDim = m.MemoryRowWidth ?? layers.Sum(l => l.Dim!.Value);
            if (b.Shape is not [_, var d] || d != featureDim)
                throw Fail(dir, $"memoryBank shape [{string.Join(", ", b.Shape ?? [])}] must be [M, {featureDim}] ({(m.MemoryRowWidth is null ? "the sum of the layer dims" : "memoryRowWidth")})");
        }

        var prompts = ReadPromptEmbeddings(dir, m, methodName, embedDim);

        return new DetectorBundle
        {
            Directory = dir,
            Manifest = m,
            Method = method,
            ResizeMode = resize,
            EncoderPath = encoderPath,
            Layers = layers,
            TextFeatures = text,
            TextFeaturesShape = m.TextFeatures?.Shape,
            Adapters = adapters,
            MemoryBank = bank,
            PromptEmbeddings = prompts,
            Windows = ReadWindows(dir, m, method, layers, embedDim, encoderOutputs, bank is not null),
        };
    }

    /// <summary>AnoVL's test-time adapter: its settings and the [P, embedDim] prompt embeddings it needs.</summary>
    private static float[]? ReadPromptEmbeddings(string dir, DetectorManifest m, string methodName, int embedDim)
    {
        if (m.TestTimeAdapter is { } tta)
        {
            if (methodName != "anovl")
                throw Fail(dir, $"testTimeAdapter is AnoVL's; method '{methodName}' has none");
            if (m.PromptEmbeddings is null)
                throw Fail(dir, "testTimeAdapter needs promptEmbeddings (the per-prompt text embeddings [P, embedDim])");
            if (tta.Steps is not > 0)
                throw Fail(dir, $"testTimeAdapter.steps must be a positive integer, not {tta.Steps?.ToString() ?? "missing"}");
            if (tta.Lr is not { } lr || !(lr > 0) || !double.IsFinite(lr))
                throw Fail(dir, $"testTimeAdapter.lr must be a positive number, not {tta.Lr?.ToString() ?? "missing"}");
            if (tta.NoiseStd is not { } noise || !(noise >= 0) || !double.IsFinite(noise))
                throw Fail(dir, $"testTimeAdapter.noiseStd must be 0 or more, not {tta.NoiseStd?.ToString() ?? "missing"}");
            if (tta.WeightDecay is not { } decay || !(decay >= 0) || !double.IsFinite(decay))
                throw Fail(dir, $"testTimeAdapter.weightDecay must be 0 or more, not {tta.WeightDecay?.ToString() ?? "missing"}");
        }
        if (m.PromptEmbeddings is not { } p)
            return null;
        var values = ReadTensor(dir, p, "promptEmbeddings");
        if (p.Shape is not [_, var d] || d != embedDim)
            throw Fail(dir, $"promptEmbeddings shape [{string.Join(", ", p.Shape!)}] must be [P, {embedDim}] (one row per prompt, embedDim)");
        return values;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static HashSet<string> CheckEncoder(string dir, string encoderPath, int size, List<ManifestLayer> layers, string? globalOutput, string? textOutput)
    {
        OnnxModel model;
        try
        {
            model = OnnxModel.Load(encoderPath);
        }
        catch (OnnxFormatException ex)
        {
            throw Fail(dir, $"encoder '{Path.GetFileName(encoderPath)}' is not a readable ONNX model: {ex.Message}");
        }
        if (model.GraphInputs.Count != 1)
            throw Fail(dir, $"the encoder must take one input (pixels [N,3,{size},{size}]), it takes {model.GraphInputs.Count}");
        var shape = model.InputShape(model.GraphInputs[0]);
        if (shape is not null && (shape.Length != 4 || (shape[1] != -1 && shape[1] != 3) || (shape[2] != -1 && shape[2] != size) || (shape[3] != -1 && shape[3] != size)))
            throw Fail(dir, $"encoder input '{model.GraphInputs[0]}' is [{string.Join(", ", shape.Select(d => d < 0 ? "?" : d.ToString()))}], the manifest says [N, 3, {size}, {size}]");
        var outputs = new HashSet<string>(model.GraphOutputs, StringComparer.Ordinal);
        foreach (var l in layers)
            if (!outputs.Contains(l.Output!))
                throw Fail(dir, $"encoder outputs [{string.Join(", ", model.GraphOutputs)}] do not include '{l.Output}' of layer '{l.Name}'");
        if (globalOutput is not null && !outputs.Contains(globalOutput))
            throw Fail(dir, $"encoder outputs [{string.Join(", ", model.GraphOutputs)}] do not include globalOutput '{globalOutput}'");
        if (textOutput is not null && !outputs.Contains(textOutput))
            throw Fail(dir, $"encoder outputs [{string.Join(", ", model.GraphOutputs)}] do not include textOutput '{textOutput}'");
        return outputs;
    }

    internal static float[] ReadTensor(string dir, ManifestTensor t, string what)
    {
        var (path, count) = CheckTensorFile(dir, t, what);
        // Read straight into the float array: a byte array and a copy beside it doubled the time and peak memory.
        var values = GC.AllocateUninitializedArray<float>(checked((int)count));
        using var file = File.OpenRead(path);
        file.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>A tensor as consecutive chunks of <paramref name="chunkFloats"/> values (a memory bank's slices), each
    /// read from the file straight into its own array: neither one big array nor copies of its parts, whose fresh
    /// memory alone cost seconds per gigabyte here.</summary>
    internal static float[][] ReadTensorChunks(string dir, ManifestTensor t, string what, int chunkFloats)
    {
        var (path, count) = CheckTensorFile(dir, t, what);
        if (count % chunkFloats != 0)
            throw Fail(dir, $"{what} '{t.Path}' holds {count} values, not a whole number of chunks of {chunkFloats}");
        var chunks = new float[checked((int)(count / chunkFloats))][];
        using var file = File.OpenRead(path);
        for (var c = 0; c < chunks.Length; c++)
        {
            chunks[c] = GC.AllocateUninitializedArray<float>(chunkFloats);
            file.ReadExactly(MemoryMarshal.AsBytes(chunks[c].AsSpan()));
        }
        return chunks;
    }

    /// <summary>The tensor's file and number of values, after checking that its shape is sane and the file holds
    /// exactly that many float32 values.</summary>
    internal static (string Path, long Count) CheckTensorFile(string dir, ManifestTensor t, string what)
    {
        if (t.Path is null)
            throw Fail(dir, $"{what} has no path");
        if (t.Shape is null || t.Shape.Count == 0 || t.Shape.Any(d => d < 1))
            throw Fail(dir, $"{what} needs a shape of positive dimensions");
        var count = t.Shape.Aggregate(1L, (a, b) => a * b);
        var path = Resolve(dir, t.Path);
        var bytes = new FileInfo(path).Length;
        if (bytes != count * sizeof(float))
            throw Fail(dir, $"{what} '{t.Path}' holds {bytes} bytes, shape [{string.Join(", ", t.Shape)}] of float32 needs {count * sizeof(float)}");
        return (path, count);
    }

    private static void CheckChannels(string dir, string key, List<double>? values, bool mustBePositive)
    {
        if (values is null)
            throw Missing(dir, key);
        if (values.Count != 3)
            throw Fail(dir, $"{key} needs 3 values (one per channel), not {values.Count}");
        if (mustBePositive && values.Any(v => !(v > 0)))
            throw Fail(dir, $"{key} values must be positive");
    }

    private static string OneOf(string dir, string key, string? value, IReadOnlyList<string> allowed)
    {
        if (value is null)
            throw Missing(dir, key);
        if (!allowed.Contains(value))
            throw Fail(dir, $"unknown {key} '{value}' (known: {string.Join(", ", allowed)})");
        return value;
    }

    private static string Resolve(string dir, string relative)
    {
        if (Path.IsPathRooted(relative) || relative.Split('/', '\\').Contains(".."))
            throw Fail(dir, $"file path '{relative}' must stay inside the bundle");
        return Path.Combine(dir, relative);
    }

    private static BundleException Missing(string dir, string key) => Fail(dir, $"{ManifestFileName} has no '{key}'");

    private static BundleException Fail(string dir, string problem) => new($"detector bundle {dir}: {problem}");
}
