using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Zsad.Imaging;
using Zsad.Inference.Bundles;
using Zsad.Inference.Engine;
using Zsad.Inference.Heads;
using Zsad.Inference.Tests.Heads;
using Zsad.Testing;

namespace Zsad.Inference.Tests.Bundles;

/// <summary>tools/export/medical_standin.py: random stand-in checkpoints with PMC-CLIP's and BiomedCLIP's parameter
/// names, exported by export_medical.py, and their expected outputs from a functional forward over the raw state
/// dict. Random weights: these tests prove the name mapping, the graph and the bundle, never detection quality.</summary>
public sealed class MedicalExportFixture() : ParityFixture(null, "medical_standin.py");

public sealed class MedicalExportTests(MedicalExportFixture fixture, ITestOutputHelper output) : IClassFixture<MedicalExportFixture>
{
    private const float Tolerance = 1e-4f;

    [Theory]
    [InlineData("pmc-clip")]
    [InlineData("biomedclip")]
    public void Exported_encoder_reproduces_the_checkpoint_forward(string name)
    {
        var dir = fixture.CaseDir(name);
        var info = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "parity", "info.json")))!;
        var n = (int)info["n"]!;
        using var detector = new ClipDetector(BundleLoader.Load(Path.Combine(dir, "bundle")), Options(n));
        ReadFloats(Path.Combine(dir, "parity", "inputs.f32")).CopyTo(detector.Engine.Input);
        var outputs = detector.Engine.Run(n);
        foreach (var o in info["outputs"]!.AsArray().Select(x => (string)x!))
        {
            var expected = ReadFloats(Path.Combine(dir, "parity", o + ".f32"));
            var actual = outputs[detector.Engine.OutputNames.ToList().IndexOf(o)];
            Assert.Equal(expected.Length, actual.Length);
            var error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            output.WriteLine($"{name} {o}: {expected.Length / n} floats per image, max |ONNX - PyTorch| = {error:E2}");
            Assert.True(error <= Tolerance, $"{name} {o} differs from the checkpoint's forward by {error:E2}");
        }
    }

    [Theory]
    [InlineData("pmc-clip", "PMC-CLIP", "pmc")]
    [InlineData("biomedclip", "BiomedCLIP", "custom")]
    public void Bundle_loads_and_runs_the_vand_head(string name, string backbone, string weights)
    {
        var dir = fixture.CaseDir(name);
        var info = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "parity", "info.json")))!;
        var bundle = BundleLoader.Load(Path.Combine(dir, "bundle"));
        Assert.Equal(backbone, bundle.Manifest.Backbone);
        Assert.Equal(weights, bundle.Manifest.Weights);
        int[] grids = [.. info["grids"]!.AsArray().Select(x => (int)x!)], dims = [.. info["dims"]!.AsArray().Select(x => (int)x!)];
        Assert.Equal(grids, bundle.Layers.Select(l => l.Grid!.Value));
        Assert.Equal(dims, bundle.Layers.Select(l => l.Dim!.Value));

        var n = (int)info["n"]!;
        using var detector = new ClipDetector(bundle, Options(n));
        var head = Assert.IsType<VandHead>(detector.Head);
        ReadFloats(Path.Combine(dir, "parity", "inputs.f32")).CopyTo(detector.Engine.Input);
        var outputs = detector.Engine.Run(n);
        var map = new float[head.Size * head.Size];
        for (var b = 0; b < n; b++)
        {
            var score = detector.RunHead(outputs, b, map);
            Assert.InRange(score, 0f, 1f);
            // The raw map sums one probability per layer; MapScale (1 / layers) brings it into [0, 1].
            Assert.All(map, v => Assert.InRange(v * head.MapScale, 0f, 1f + 1e-6f));
            Assert.True(map.Max() > map.Min(), $"{name}: image {b} gave a constant map");
        }

        // The whole slice pass (resize to 224, per-layer grids, upsampling) on a small volume.
        var volume = new Volume<float>(40, 36, 3, Affine.Identity);
        for (var k = 0; k < 3; k++)
            for (var j = 6; j < 30; j++)
                for (var i = 8; i < 34; i++)
                    volume.Data[volume.IndexOf(i, j, k)] = 100 + 20 * MathF.Sin(i * 0.4f) + 3 * j + k;
        var result = detector.Detect(volume);
        Assert.True(result.Map.HasSameGrid(volume));
        Assert.All(result.Map.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.InRange(result.ImageScore, 0, 1);
    }

    [Theory]
    [InlineData("PMC-CLIP", "pmc-missing.pt", "pmc-text.pt", "'layer3.2.conv2.weight' is missing")]
    [InlineData("PMC-CLIP", "pmc-misshaped.pt", "pmc-text.pt", "'attnpool.k_proj.weight' has shape [256, 128], expected [256, 256]")]
    [InlineData("BiomedCLIP", "biomedclip-missing.pt", "biomedclip-text.pt", "'trunk.blocks.1.attn.qkv.weight' is missing")]
    public void Exporter_refuses_a_checkpoint_key_that_is_missing_or_misshaped(string backbone, string checkpoint, string text, string message)
    {
        var broken = Path.Combine(fixture.CaseDir("broken"));
        using var outDir = new TempDir();
        var result = Export(backbone, "--checkpoint", Path.Combine(broken, checkpoint), "--text", Path.Combine(broken, text), "--untrained-adapters", "--out", Path.Combine(outDir.Path, "bundle"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.StdErr);
        Assert.False(Directory.Exists(Path.Combine(outDir.Path, "bundle")), "a refused checkpoint must not leave a bundle");
    }

    [Fact]
    public void Exporter_refuses_without_text_features_naming_the_text_model()
    {
        using var outDir = new TempDir();
        var result = Export("BiomedCLIP", "--checkpoint", Path.Combine(fixture.CaseDir("biomedclip"), "checkpoint.pt"), "--untrained-adapters", "--out", outDir.Path);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--text", result.StdErr);
        Assert.Contains("BiomedCLIP-PubMedBERT_256-vit_base_patch16_224", result.StdErr);
    }

    [Fact]
    public void Exporter_refuses_a_bundle_without_adapters()
    {
        using var outDir = new TempDir();
        var dir = fixture.CaseDir("pmc-clip");
        var result = Export("PMC-CLIP", "--checkpoint", Path.Combine(dir, "checkpoint.pt"), "--text", Path.Combine(dir, "text.pt"), "--out", outDir.Path);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--untrained-adapters", result.StdErr);
    }

    private static Peers.Result Export(string backbone, params string[] args)
        => Peers.Run(ParityFixture.Python, [Path.Combine(ParityFixture.RepositoryRoot(), "tools", "export", "export_medical.py"), "--backbone", backbone, .. args],
            TimeSpan.FromMinutes(3), environment: new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "2", ["PYTHONDONTWRITEBYTECODE"] = "1" });

    private static EngineOptions Options(int batch) => new() { PreferCuda = false, MaxBatch = batch, IntraOpThreads = 2 };

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
}
