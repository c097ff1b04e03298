using System.Text.Json.Nodes;
using Zsad.Inference.Bundles;
using Zsad.Inference.Tests.Support;

namespace Zsad.Inference.Tests.Bundles;

/// <summary>The `windows` section of WinCLIP bundles: each refusal of BundleLoader with its exact message. The
/// fixture's layers sit on a 4x4 patch grid, embedDim 6, layer dim 8.</summary>
public sealed class WindowBundleTests
{
    private static BundleFixture WinClip(bool fewShot = false)
    {
        var b = new BundleFixture();
        File.WriteAllBytes(Path.Combine(b.Dir, "encoder.onnx"), TinyOnnx.IdentityModel(16, "tokens_6", "tokens_12", "global", "windows_2", "windows_3"));
        b.Manifest["method"] = "winclip";
        b.Manifest["mapOrder"] = "softmax-then-upsample";
        b.Manifest["layerReduction"] = "mean";
        b.Manifest["windows"] = JsonNode.Parse("""
            [ { "scale": 2, "output": "windows_2", "stride": 1 }, { "scale": 3, "output": "windows_3", "stride": 1 } ]
            """);
        if (fewShot)
        {
            b.WriteFloats("memory_bank.f32", 5 * 16);
            b.Manifest["memoryBank"] = JsonNode.Parse("""{ "path": "memory_bank.f32", "shape": [5, 16] }""");
            b.Manifest["imageScore"] = "winclip-few-shot";
            foreach (var k in new[] { 2, 3 })
            {
                b.WriteFloats($"memory_windows_{k}.f32", 7 * 6);
                b.Manifest["windows"]![k - 2]!["memoryBank"] = JsonNode.Parse($$"""{ "path": "memory_windows_{{k}}.f32", "shape": [7, 6] }""");
            }
        }
        return b;
    }

    [Fact]
    public void WinClipBundle_Loads_WithItsWindows()
    {
        using var b = WinClip();
        b.Save();
        var bundle = BundleLoader.Load(b.Dir);
        Assert.Equal(DetectorMethod.WinClip, bundle.Method);
        Assert.Equal([(2, 9), (3, 4)], bundle.Windows.Select(w => (w.Scale, w.Count)));
        Assert.All(bundle.Windows, w => Assert.Null(w.MemoryBank));
    }

    [Fact]
    public void FewShotWinClipBundle_Loads_WithAMemoryPerScale()
    {
        using var b = WinClip(fewShot: true);
        b.Save();
        var bundle = BundleLoader.Load(b.Dir);
        Assert.Equal(5 * 16, bundle.MemoryBank!.Length);
        Assert.All(bundle.Windows, w => Assert.Equal(7 * 6, w.MemoryBank!.Length));
    }

    [Fact]
    public void WinClipWithoutWindows_IsRefused()
    {
        using var b = WinClip();
        b.Manifest.Remove("windows");
        b.Save();
        Assert.EndsWith(": method 'winclip' needs windows (one entry per window scale)", b.LoadError());
    }

    [Fact]
    public void WindowsOnAnotherMethod_AreRefused()
    {
        using var b = WinClip();
        b.Manifest["method"] = "vand";
        b.Save();
        Assert.EndsWith(": windows is only read by method 'winclip', not 'vand'", b.LoadError());
    }

    [Fact]
    public void WinClipLayersOnDifferentGrids_AreRefused()
    {
        using var b = WinClip();
        b.Manifest["layers"]![1]!["grid"] = 5;
        b.Save();
        Assert.EndsWith(": method 'winclip' needs every layer on one patch grid, the layers have grids [4, 5]", b.LoadError());
    }

    [Fact]
    public void WindowWithoutStride_IsRefused()
    {
        using var b = WinClip();
        b.Manifest["windows"]![1]!.AsObject().Remove("stride");
        b.Save();
        Assert.EndsWith(": windows[1] needs a positive scale, a positive stride and an output", b.LoadError());
    }

    [Fact]
    public void WindowLargerThanTheGrid_IsRefused()
    {
        using var b = WinClip();
        b.Manifest["windows"]![1]!["scale"] = 5;
        b.Save();
        Assert.EndsWith(": windows[1] scale 5 is larger than the 4x4 patch grid", b.LoadError());
    }

    [Fact]
    public void WindowsThatLeaveTheGridEdgeUncovered_AreRefused()
    {
        using var b = WinClip();
        b.Manifest["windows"]![1]!["stride"] = 2;
        b.Save();
        Assert.EndsWith(": windows[1] (scale 3, stride 2) does not reach the edge of the 4x4 patch grid: grid - scale must be a multiple of the stride", b.LoadError());
    }

    [Fact]
    public void WindowOutputMissingFromTheEncoder_IsRefused()
    {
        using var b = WinClip();
        b.Manifest["windows"]![1]!["output"] = "windows_9";
        b.Save();
        Assert.EndsWith(": encoder outputs [global, tokens_12, tokens_6, windows_2, windows_3] do not include 'windows_9' of window scale 3", b.LoadError());
    }

    [Fact]
    public void RepeatedWindowScale_IsRefused()
    {
        using var b = WinClip();
        b.Manifest["windows"]![1]!["scale"] = 2;
        b.Save();
        Assert.EndsWith(": windows repeats scale 2", b.LoadError());
    }

    [Fact]
    public void WindowMemoryWithoutPatchMemory_IsRefused()
    {
        using var b = WinClip(fewShot: true);
        b.Manifest.Remove("memoryBank");
        File.Delete(Path.Combine(b.Dir, "memory_bank.f32"));
        b.Save();
        Assert.EndsWith(": windows[0] (scale 2) has a memoryBank but the bundle has no patch memoryBank: few-shot WinCLIP needs both, zero-shot neither", b.LoadError());
    }

    [Fact]
    public void PatchMemoryWithoutWindowMemory_IsRefused()
    {
        using var b = WinClip(fewShot: true);
        b.Manifest["windows"]![1]!.AsObject().Remove("memoryBank");
        File.Delete(Path.Combine(b.Dir, "memory_windows_3.f32"));
        b.Save();
        Assert.EndsWith(": windows[1] (scale 3) has no memoryBank but the bundle has patch memoryBank: few-shot WinCLIP needs both, zero-shot neither", b.LoadError());
    }

    [Fact]
    public void WindowMemoryOfTheWrongWidth_IsRefused()
    {
        using var b = WinClip(fewShot: true);
        b.WriteFloats("memory_windows_3.f32", 7 * 8);
        b.Manifest["windows"]![1]!["memoryBank"]!["shape"] = new JsonArray(7, 8);
        b.Save();
        Assert.EndsWith(": windows[1] memoryBank shape [7, 8] must be [M, 6] (window embeddings, embedDim wide)", b.LoadError());
    }

    [Fact]
    public void UnhashedWindowMemory_IsRefused()
    {
        using var b = WinClip(fewShot: true);
        b.Save();
        b.Manifest["files"]!.AsObject().Remove("memory_windows_2.f32");
        b.Save(hash: false);
        Assert.EndsWith(": 'memory_windows_2.f32' is used by the manifest but has no sha256 in files", b.LoadError());
    }

    [Fact]
    public void WinClipFewShotScore_NeedsTheGlobalOutput()
    {
        using var b = WinClip(fewShot: true);
        b.Manifest.Remove("globalOutput");
        b.Save();
        Assert.EndsWith(": imageScore 'winclip-few-shot' needs globalOutput (the encoder's global embedding)", b.LoadError());
    }
}
