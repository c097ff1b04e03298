using System.Text.Json.Nodes;
using Zsad.Inference.Bundles;
using Zsad.Inference.Tests.Support;

namespace Zsad.Inference.Tests.Bundles;

public sealed class BundleLoaderTests
{
    [Fact]
    public void ValidBundle_Loads()
    {
        using var b = new BundleFixture();
        b.Save();
        var bundle = BundleLoader.Load(b.Dir);
        Assert.Equal(DetectorMethod.Vand, bundle.Method);
        Assert.Equal(12, bundle.TextFeatures!.Length);
        Assert.Equal(2, bundle.Adapters.Count);
    }

    [Fact]
    public void AdapterBias_OfTheWrongShape_IsRefused()
    {
        using var b = new BundleFixture();
        b.WriteFloats("bias_l6.f32", 5);
        b.Manifest["adapters"]!.AsArray().Add(JsonNode.Parse("""{ "name": "layer6.bias", "path": "bias_l6.f32", "shape": [5] }"""));
        b.Save();
        Assert.EndsWith(": adapter 'layer6.bias' shape [5] must be [6] (embedDim)", b.LoadError());
    }

    [Fact]
    public void VandMemoryBank_OfTheWrongWidth_IsRefused()
    {
        using var b = new BundleFixture();
        b.WriteFloats("memory_bank.f32", 3 * 15);
        b.Manifest["memoryBank"] = JsonNode.Parse("""{ "path": "memory_bank.f32", "shape": [3, 15] }""");
        b.Save();
        Assert.EndsWith(": memoryBank shape [3, 15] must be [M, 16] (the sum of the layer dims)", b.LoadError());
    }

    [Fact]
    public void MvfaMemoryBank_OfTheWrongWidth_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["method"] = "mvfa";
        b.WriteFloats("memory_bank.f32", 3 * 15);
        b.Manifest["memoryBank"] = JsonNode.Parse("""{ "path": "memory_bank.f32", "shape": [3, 15] }""");
        b.Save();
        Assert.EndsWith(": memoryBank shape [3, 15] must be [M, 16] (the sum of the layer dims)", b.LoadError());
    }

    [Fact]
    public void MemoryBank_ForAMethodWithoutFewShot_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["method"] = "anomalyclip";
        b.WriteFloats("memory_bank.f32", 3 * 16);
        b.Manifest["memoryBank"] = JsonNode.Parse("""{ "path": "memory_bank.f32", "shape": [3, 16] }""");
        b.Save();
        Assert.EndsWith(": method 'anomalyclip' has no few-shot mode and does not read a memoryBank (few-shot: vand, mvfa, winclip)", b.LoadError());
    }

    [Fact]
    public void MissingManifest_IsRefused()
    {
        using var b = new BundleFixture();
        Assert.EndsWith(": manifest.json is missing", b.LoadError());
    }

    [Fact]
    public void InvalidJson_IsRefused()
    {
        using var b = new BundleFixture();
        File.WriteAllText(Path.Combine(b.Dir, "manifest.json"), "{ \"schemaVersion\": 1,");
        Assert.Contains("manifest.json is not valid JSON", b.LoadError());
    }

    [Fact]
    public void UnsupportedSchemaVersion_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["schemaVersion"] = 2;
        b.Save();
        Assert.EndsWith(": schemaVersion 2 is not supported (this build reads 1)", b.LoadError());
    }

    [Fact]
    public void UnknownMethod_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["method"] = "patchcore";
        b.Save();
        Assert.EndsWith(": unknown method 'patchcore' (known: anomalyclip, vand, anovl, adaclip, winclip, mvfa, mediclip, feature-memory)", b.LoadError());
    }

    [Fact]
    public void UnknownWeightsSetup_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["weights"] = "imagenet";
        b.Save();
        Assert.EndsWith(": unknown weights 'imagenet' (known: industrial, finetune, brats, pmc, custom)", b.LoadError());
    }

    [Fact]
    public void MissingKey_IsNamed()
    {
        using var b = new BundleFixture();
        b.Manifest.Remove("temperature");
        b.Save();
        Assert.EndsWith(": manifest.json has no 'temperature'", b.LoadError());
    }

    [Fact]
    public void WrongChannelCount_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["input"]!["std"] = new JsonArray(0.5, 0.5);
        b.Save();
        Assert.EndsWith(": input.std needs 3 values (one per channel), not 2", b.LoadError());
    }

    [Fact]
    public void MissingFile_IsRefused()
    {
        using var b = new BundleFixture();
        b.Save();
        File.Delete(Path.Combine(b.Dir, "text_features.f32"));
        Assert.EndsWith(": file 'text_features.f32' listed in files is missing", b.LoadError());
    }

    [Fact]
    public void HashMismatch_IsRefused()
    {
        using var b = new BundleFixture();
        b.Save();
        b.WriteFloats("adapter_l6.f32", 6 * 8 + 0);
        File.AppendAllText(Path.Combine(b.Dir, "adapter_l6.f32"), "x");
        var message = b.LoadError();
        Assert.Matches(": sha256 of 'adapter_l6.f32' is [0-9a-f]{64}, the manifest says [0-9a-f]{64}$", message);
    }

    [Fact]
    public void UnhashedFile_IsRefused()
    {
        using var b = new BundleFixture();
        b.Save();
        var files = b.Manifest["files"]!.AsObject();
        files.Remove("encoder.onnx");
        b.Save(hash: false);
        Assert.EndsWith(": 'encoder.onnx' is used by the manifest but has no sha256 in files", b.LoadError());
    }

    [Fact]
    public void PathOutsideBundle_IsRefused()
    {
        using var b = new BundleFixture();
        b.Save();
        b.Manifest["files"]!["../escape.f32"] = new string('0', 64);
        b.Save(hash: false);
        Assert.EndsWith(": file path '../escape.f32' must stay inside the bundle", b.LoadError());
    }

    [Fact]
    public void EncoderWithoutLayerOutput_IsRefused()
    {
        using var b = new BundleFixture();
        File.WriteAllBytes(Path.Combine(b.Dir, "encoder.onnx"), TinyOnnx.IdentityModel(16, "tokens_6", "global"));
        b.Save();
        Assert.EndsWith(": encoder outputs [tokens_6, global] do not include 'tokens_12' of layer 'layer12'", b.LoadError());
    }

    [Fact]
    public void EncoderInputSizeMismatch_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["input"]!["size"] = 240;
        b.Save();
        Assert.EndsWith(": encoder input 'pixels' is [?, 3, 16, 16], the manifest says [N, 3, 240, 240]", b.LoadError());
    }

    [Fact]
    public void EncoderNotOnnx_IsRefused()
    {
        using var b = new BundleFixture();
        File.WriteAllText(Path.Combine(b.Dir, "encoder.onnx"), "not a model");
        b.Save();
        Assert.Contains(": encoder 'encoder.onnx' is not a readable ONNX model:", b.LoadError());
    }

    [Fact]
    public void TextFeatureDimVsEmbedDim_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["embedDim"] = 5;
        b.Save();
        // The adapters are checked after the text features, so the text message comes first.
        Assert.EndsWith(": textFeatures last dimension 6 does not match embedDim 5", b.LoadError());
    }

    [Fact]
    public void TextFeatureShape_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["textFeatures"]!["shape"] = new JsonArray(3, 4);
        b.Save();
        Assert.EndsWith(": textFeatures shape [3, 4] must be [2, 6] or [2, 2, 6] (normal, abnormal per layer)", b.LoadError());
    }

    [Fact]
    public void TensorFileSizeVsShape_IsRefused()
    {
        using var b = new BundleFixture();
        b.WriteFloats("text_features.f32", 2 * 6 - 1);
        b.Save();
        Assert.EndsWith(": textFeatures 'text_features.f32' holds 44 bytes, shape [2, 6] of float32 needs 48", b.LoadError());
    }

    [Fact]
    public void MissingAdapterForLayer_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["adapters"]!.AsArray().RemoveAt(1);
        File.Delete(Path.Combine(b.Dir, "adapter_l12.f32"));
        b.Save();
        Assert.EndsWith(": method 'vand' needs adapter 'layer12.weight' for layer 'layer12'", b.LoadError());
    }

    [Fact]
    public void AdapterShape_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["adapters"]![0]!["shape"] = new JsonArray(8, 6);
        b.Save();
        Assert.EndsWith(": adapter 'layer6.weight' shape [8, 6] must be [6, 8] (embedDim x layer dim)", b.LoadError());
    }

    [Fact]
    public void FeatureMemoryWithoutBank_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["method"] = "feature-memory";
        b.Save();
        Assert.EndsWith(": method 'feature-memory' needs memoryBank", b.LoadError());
    }

    [Fact]
    public void MemoryBankDim_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["method"] = "feature-memory";
        b.WriteFloats("bank.f32", 10 * 15);
        b.Manifest["memoryBank"] = new JsonObject { ["path"] = "bank.f32", ["shape"] = new JsonArray(10, 15) };
        b.Save();
        Assert.EndsWith(": memoryBank shape [10, 15] must be [M, 16] (the sum of the layer dims)", b.LoadError());
    }

    [Fact]
    public void ImageScoreNeedingGlobal_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest.Remove("globalOutput");
        b.Save();
        Assert.EndsWith(": imageScore 'global-softmax' needs globalOutput (the encoder's global embedding)", b.LoadError());
    }

    [Fact]
    public void AdaClip_WithoutTextOutput_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["method"] = "adaclip";
        b.Save();
        Assert.EndsWith(": method 'adaclip' needs textOutput (the encoder's per-image text features [N, 2, embedDim]: its prompts depend on the image)", b.LoadError());
    }

    [Fact]
    public void TextOutput_MissingFromTheEncoder_IsRefused()
    {
        using var b = new BundleFixture();
        b.Manifest["method"] = "adaclip";
        b.Manifest["textOutput"] = "text";
        b.Save();
        Assert.EndsWith(": encoder outputs [tokens_6, tokens_12, global] do not include textOutput 'text'", b.LoadError());
    }

    [Fact]
    public void AdaClip_WithTextOutput_LoadsWithoutStaticTextOrAdapters()
    {
        using var b = new BundleFixture();
        File.WriteAllBytes(Path.Combine(b.Dir, "encoder.onnx"), TinyOnnx.IdentityModel(16, "tokens_6", "tokens_12", "global", "text"));
        b.Manifest["method"] = "adaclip";
        b.Manifest["textOutput"] = "text";
        b.Manifest.Remove("textFeatures");
        b.Manifest.Remove("adapters");
        foreach (var f in new[] { "text_features.f32", "adapter_l6.f32", "adapter_l12.f32" })
            File.Delete(Path.Combine(b.Dir, f));
        b.Save();
        var bundle = BundleLoader.Load(b.Dir);
        Assert.Equal(DetectorMethod.AdaClip, bundle.Method);
        Assert.Null(bundle.TextFeatures);
    }

    private static void AddTestTimeAdapter(BundleFixture b, int promptRows = 4, int promptDim = 6, int steps = 5)
    {
        b.Manifest["method"] = "anovl";
        b.WriteFloats("prompt_embeddings.f32", promptRows * promptDim);
        b.Manifest["promptEmbeddings"] = new JsonObject { ["path"] = "prompt_embeddings.f32", ["shape"] = new JsonArray(promptRows, promptDim) };
        b.Manifest["testTimeAdapter"] = JsonNode.Parse($$"""{ "steps": {{steps}}, "lr": 0.001, "noiseStd": 0.055, "weightDecay": 0.01 }""");
    }

    [Fact]
    public void TestTimeAdapter_Loads_WithItsPromptEmbeddings()
    {
        using var b = new BundleFixture();
        AddTestTimeAdapter(b);
        b.Save();
        Assert.Equal(4 * 6, BundleLoader.Load(b.Dir).PromptEmbeddings!.Length);
    }

    [Fact]
    public void TestTimeAdapter_WithoutPromptEmbeddings_IsRefused()
    {
        using var b = new BundleFixture();
        AddTestTimeAdapter(b);
        b.Manifest.Remove("promptEmbeddings");
        File.Delete(Path.Combine(b.Dir, "prompt_embeddings.f32"));
        b.Save();
        Assert.EndsWith(": testTimeAdapter needs promptEmbeddings (the per-prompt text embeddings [P, embedDim])", b.LoadError());
    }

    [Fact]
    public void TestTimeAdapter_OnAnotherMethod_IsRefused()
    {
        using var b = new BundleFixture();
        AddTestTimeAdapter(b);
        b.Manifest["method"] = "vand";
        b.Save();
        Assert.EndsWith(": testTimeAdapter is AnoVL's; method 'vand' has none", b.LoadError());
    }

    [Fact]
    public void TestTimeAdapter_WithoutSteps_IsRefused()
    {
        using var b = new BundleFixture();
        AddTestTimeAdapter(b, steps: 0);
        b.Save();
        Assert.EndsWith(": testTimeAdapter.steps must be a positive integer, not 0", b.LoadError());
    }

    [Fact]
    public void PromptEmbeddings_OfTheWrongWidth_AreRefused()
    {
        using var b = new BundleFixture();
        AddTestTimeAdapter(b, promptDim: 5);
        b.Save();
        Assert.EndsWith(": promptEmbeddings shape [4, 5] must be [P, 6] (one row per prompt, embedDim)", b.LoadError());
    }
}
