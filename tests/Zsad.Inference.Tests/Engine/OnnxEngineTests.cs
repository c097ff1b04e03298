using Zsad.Inference.Engine;
using Zsad.Inference.Tests.Support;

namespace Zsad.Inference.Tests.Engine;

public sealed class OnnxEngineTests
{
    [Fact]
    public void RequestingCuda_WithoutGpu_FallsBackToCpuAndSaysWhy()
    {
        using var engine = OnnxEngine.Create(TinyOnnx.IdentityModel(4, "out"), new EngineOptions { PreferCuda = true, MaxBatch = 2 });
        if (engine.ExecutionProvider == ExecutionProviderKind.Cuda)
        {
            Assert.Null(engine.FallbackReason); // a machine with a working GPU: nothing to fall back from
            return;
        }
        Assert.Equal(ExecutionProviderKind.Cpu, engine.ExecutionProvider);
        Assert.NotNull(engine.FallbackReason);
        Assert.Matches("^(OnnxRuntimeException|EntryPointNotFoundException|DllNotFoundException): ", engine.FallbackReason);
    }

    [Fact]
    public void RequiringCuda_RunsOnCudaOrRefuses_NeverOnCpu()
    {
        OnnxEngine engine;
        try
        {
            engine = OnnxEngine.Create(TinyOnnx.IdentityModel(4, "out"), EngineOptions.ForProvider("cuda"));
        }
        catch (InvalidOperationException ex)
        {
            Assert.Contains("the CUDA execution provider was required but did not load", ex.Message);
            return;
        }
        using (engine)
            Assert.Equal(ExecutionProviderKind.Cuda, engine.ExecutionProvider);
    }

    [Theory]
    [InlineData("auto", true, false)]
    [InlineData(null, true, false)]
    [InlineData("cuda", true, true)]
    [InlineData("cpu", false, false)]
    public void ProviderChoice_MapsToEngineOptions(string? provider, bool triesCuda, bool requiresCuda)
    {
        var options = EngineOptions.ForProvider(provider);
        Assert.Equal(triesCuda, options.PreferCuda || options.RequireCuda);
        Assert.Equal(requiresCuda, options.RequireCuda);
    }

    [Fact]
    public void UnknownProvider_IsRefusedByName()
        => Assert.Equal("--provider must be auto, cuda or cpu, not 'gpu'", Assert.Throws<ArgumentException>(() => EngineOptions.ForProvider("gpu")).Message);

    [Fact]
    public void CpuOnly_HasNoFallbackReason()
    {
        using var engine = OnnxEngine.Create(TinyOnnx.IdentityModel(4, "out"), new EngineOptions { PreferCuda = false });
        Assert.Equal(ExecutionProviderKind.Cpu, engine.ExecutionProvider);
        Assert.Null(engine.FallbackReason);
    }

    [Fact]
    public void Run_ReusesBuffersAcrossBatchSizes()
    {
        using var engine = OnnxEngine.Create(TinyOnnx.IdentityModel(4, "out"), new EngineOptions { PreferCuda = false, MaxBatch = 3 });
        Assert.Equal([3, 4, 4], engine.ItemShape);
        for (var i = 0; i < engine.Input.Length; i++)
            engine.Input[i] = i;
        var first = engine.Run(3)[0];
        Assert.Equal(Enumerable.Range(0, 3 * 48).Select(i => (float)i), first.Take(3 * 48));
        engine.Input[0] = -1;
        var second = engine.Run(1)[0];
        Assert.Same(first, second);
        Assert.Equal(-1, second[0]);
    }
}
