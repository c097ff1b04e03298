using Zsad.Inference.Engine;
using Zsad.Inference.Tests.Heads;
using Zsad.Inference.Tests.Support;

namespace Zsad.Inference.Tests.Onnx;

/// <summary>tools/export/zsad_export/fp16.py on a tiny random-weight CLIP-shaped encoder (patch 14, exact GELU, opset
/// 17): the fp16 file keeps the float32 interface and its outputs stay near the fp32 file's. Run on the CPU
/// provider, which has no float16 kernels for Conv, MatMul or Erf: ONNX Runtime wraps those nodes in casts to
/// float32, so the weights, LayerNorm/Softmax inputs and every value between nodes are float16-rounded as on CUDA,
/// but products accumulate in float32 — the CUDA kernels' own arithmetic is measured only by the GPU bench.</summary>
public sealed class Fp16EncoderTests : IDisposable
{
    // Relative to the largest fp32 output magnitude: float16 keeps 11 significant bits (~5e-4 relative per
    // rounding); four blocks of rounding compound to a few 1e-3, so 1e-2 leaves room without hiding a broken graph.
    private const float Tolerance = 1e-2f;

    private readonly TempDir _dir = new();

    [Fact]
    public void Fp16Encoder_KeepsFloat32Interface_AndOutputsWithinTolerance()
    {
        Export();
        var options = new EngineOptions { PreferCuda = false, MaxBatch = 2 };
        using var full = OnnxEngine.Create(Path.Combine(_dir.Path, "fp32.onnx"), options);
        using var half = OnnxEngine.Create(Path.Combine(_dir.Path, "fp16.onnx"), options);
        Assert.Equal(full.OutputNames, half.OutputNames);
        Assert.Equal(full.ItemShape, half.ItemShape);
        var random = new Random(1);
        for (var i = 0; i < full.Input.Length; i++)
            full.Input[i] = half.Input[i] = (float)(random.NextDouble() * 2 - 1);
        var expected = full.Run(2).Select(o => o.ToArray()).ToList();
        var actual = half.Run(2);
        for (var o = 0; o < expected.Count; o++)
        {
            var scale = expected[o].Max(Math.Abs);
            var worst = expected[o].Zip(actual[o], (e, a) => Math.Abs(e - a)).Max();
            Assert.True(scale > 0, $"{full.OutputNames[o]} is all zeros: nothing compared");
            Assert.True(worst <= Tolerance * scale,
                $"{full.OutputNames[o]}: max |fp16 - fp32| = {worst} > {Tolerance} x max |fp32| ({scale})");
            Assert.NotEqual(expected[o], actual[o]); // the fp16 file really computes in float16
        }
    }

    [Fact]
    public void Fp16Converter_RefusesSpeltOutLayerNorm()
    {
        // Opset 14 spells LayerNorm as ReduceMean/Pow/Sqrt: squaring in float16 overflows past 256, so no conversion.
        const string code = "import sys, onnx, torch; from zsad_export import fp16; from zsad_export.model import ClipVisual, export_onnx; "
            + "export_onnx(ClipVisual(size=28, patch=14, width=16, layers=1, heads=2, embed=8, out_layers=(1,)), sys.argv[1], opset=14); "
            + "fp16.convert(onnx.load(sys.argv[1]))";
        var (exit, output) = ParityFixture.RunPython($"-c \"{code}\" \"{Path.Combine(_dir.Path, "opset14.onnx")}\"",
            Path.Combine(ParityFixture.RepositoryRoot(), "tools", "export"));
        Assert.NotEqual(0, exit);
        Assert.Contains("(Pow): LayerNorm spelt out in ReduceMean/Pow/Sqrt", output);
        Assert.Contains("export at opset 17", output);
    }

    private void Export()
    {
        var (code, output) = ParityFixture.RunPython($"-m zsad_export.fp16 --tiny-pair \"{_dir.Path}\"",
            Path.Combine(ParityFixture.RepositoryRoot(), "tools", "export"));
        Assert.True(code == 0, $"zsad_export.fp16 --tiny-pair failed ({code}); needs apt-get install -y {ParityFixture.AptPackages}\n{output}");
    }

    public void Dispose() => _dir.Dispose();
}
