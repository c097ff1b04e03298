using System.Text.Json;
using System.Text.Json.Nodes;
using System.Runtime.InteropServices;
using Zsad.Inference.Bundles;

namespace Zsad.Training;

/// <summary>Writes the trained head as a normal bundle: the input bundle's files copied, its adapters replaced by
/// the trained ones (weight [D, dim] and bias [D] per layer), `weights` set to the setup, a `training` record
/// added, and every file hash recomputed; the result is checked by loading it with <see cref="BundleLoader"/>.</summary>
public static class TrainedBundleWriter
{
    public static DetectorBundle Write(DetectorBundle source, string outDir, string setup, AdapterHead head, JsonObject training)
    {
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
            throw new TrainingException($"--out {outDir}: the folder exists and is not empty; choose a new folder");
        var temporary = outDir.TrimEnd(Path.DirectorySeparatorChar) + ".writing";
        if (Directory.Exists(temporary))
            Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(source.Directory, BundleLoader.ManifestFileName)))!.AsObject();
        var oldAdapters = (source.Manifest.Adapters ?? []).Select(a => a.Path!).ToHashSet(StringComparer.Ordinal);
        var files = new JsonObject();
        foreach (var relative in (source.Manifest.Files ?? []).Keys.Where(f => !oldAdapters.Contains(f)))
        {
            var target = Path.Combine(temporary, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(source.Directory, relative), target);
        }
        var adapters = new JsonArray();
        for (var l = 0; l < source.Layers.Count; l++)
        {
            var name = source.Layers[l].Name!;
            var dim = source.Layers[l].Dim!.Value;
            adapters.Add(WriteTensor(temporary, $"{name}.weight", $"adapter_{name}_weight.f32", head.Weights[l], [head.EmbedDim, dim]));
            adapters.Add(WriteTensor(temporary, $"{name}.bias", $"adapter_{name}_bias.f32", head.Biases[l], [head.EmbedDim]));
        }
        manifest["adapters"] = adapters;
        manifest["weights"] = setup;
        manifest["name"] = Path.GetFileName(outDir.TrimEnd(Path.DirectorySeparatorChar));
        manifest["training"] = training;
        foreach (var file in Directory.EnumerateFiles(temporary, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            files[Path.GetRelativePath(temporary, file).Replace('\\', '/')] = BundleLoader.Sha256(file);
        manifest["files"] = files;
        File.WriteAllText(Path.Combine(temporary, BundleLoader.ManifestFileName), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (Directory.Exists(outDir))
            Directory.Delete(outDir);
        Directory.Move(temporary, outDir);
        return BundleLoader.Load(outDir);
    }

    // JsonNode, not JsonObject: JsonArray.Add(JsonObject) would bind to the reflection-based Add<T>.
    private static JsonNode WriteTensor(string folder, string name, string path, float[] values, int[] shape)
    {
        File.WriteAllBytes(Path.Combine(folder, path), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        return new JsonObject { ["name"] = name, ["path"] = path, ["shape"] = new JsonArray(shape.Select(s => (JsonNode)s).ToArray()) };
    }
}
