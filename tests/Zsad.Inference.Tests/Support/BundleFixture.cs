using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Zsad.Inference.Bundles;

namespace Zsad.Inference.Tests.Support;

/// <summary>Writes a small valid VAND-shaped bundle (grid 4, layer dim 8, embed 6) whose manifest a test can break
/// before (re)hashing the files.</summary>
public sealed class BundleFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public BundleFixture()
    {
        File.WriteAllBytes(Path.Combine(Dir, "encoder.onnx"), TinyOnnx.IdentityModel(16, "tokens_6", "tokens_12", "global"));
        WriteFloats("text_features.f32", 2 * 6);
        WriteFloats("adapter_l6.f32", 6 * 8);
        WriteFloats("adapter_l12.f32", 6 * 8);
        Manifest = JsonNode.Parse("""
        {
          "schemaVersion": 1, "name": "tiny-vand", "method": "vand", "backbone": "tiny-vit", "weights": "custom",
          "input": { "size": 16, "resize": "bicubic", "alignCorners": false,
                     "mean": [0.48145466, 0.4578275, 0.40821073], "std": [0.26862954, 0.26130258, 0.27577711] },
          "embedDim": 6,
          "layers": [ { "name": "layer6", "output": "tokens_6", "grid": 4, "dim": 8 },
                      { "name": "layer12", "output": "tokens_12", "grid": 4, "dim": 8 } ],
          "globalOutput": "global", "temperature": 0.01, "mapOrder": "upsample-then-softmax", "upsampleAlignCorners": true,
          "layerReduction": "sum", "smoothingSigma": 0, "imageScore": "global-softmax",
          "encoder": "encoder.onnx",
          "textFeatures": { "path": "text_features.f32", "shape": [2, 6] },
          "adapters": [ { "name": "layer6.weight", "path": "adapter_l6.f32", "shape": [6, 8] },
                        { "name": "layer12.weight", "path": "adapter_l12.f32", "shape": [6, 8] } ]
        }
        """)!.AsObject();
    }

    public string Dir => _dir.Path;

    public JsonObject Manifest { get; }

    public void WriteFloats(string name, int count)
    {
        var values = Enumerable.Range(0, count).Select(i => (float)Math.Sin(i)).ToArray();
        File.WriteAllBytes(Path.Combine(Dir, name), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    /// <summary>Writes manifest.json with a files table hashing every file in the folder (but manifest.json).</summary>
    public void Save(bool hash = true)
    {
        if (hash)
        {
            var files = new JsonObject();
            foreach (var f in Directory.EnumerateFiles(Dir).Where(f => Path.GetFileName(f) != BundleLoader.ManifestFileName).Order())
                files[Path.GetFileName(f)] = BundleLoader.Sha256(f);
            Manifest["files"] = files;
        }
        File.WriteAllText(Path.Combine(Dir, BundleLoader.ManifestFileName), Manifest.ToJsonString());
    }

    public string LoadError()
        => Assert.Throws<BundleException>(() => BundleLoader.Load(Dir)).Message;

    public void Dispose() => _dir.Dispose();
}
