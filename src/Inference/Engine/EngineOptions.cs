namespace Zsad.Inference.Engine;

/// <summary>How an <see cref="OnnxEngine"/> runs its model.</summary>
public sealed record EngineOptions
{
    public static EngineOptions Default { get; } = new();

    /// <summary>Try CUDA first; CPU is used when the CUDA provider cannot be loaded (no GPU, no CUDA libraries).</summary>
    public bool PreferCuda { get; init; } = true;

    /// <summary>Fail instead of falling back to CPU when the CUDA provider cannot be loaded (implies trying CUDA).</summary>
    public bool RequireCuda { get; init; }

    public int CudaDeviceId { get; init; }

    /// <summary>Threads inside one operator; 0 means one per logical core of this machine.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Slices per encoder run: big enough to keep the cores (or the GPU) busy, small enough for memory.</summary>
    public int MaxBatch { get; init; } = 8;

    /// <summary>The options a provider choice asks for: "auto" (CUDA when it loads, else CPU), "cuda" (CUDA or an
    /// error) or "cpu"; null means auto.</summary>
    public static EngineOptions ForProvider(string? provider) => provider switch
    {
        null or "auto" => Default,
        "cuda" => Default with { RequireCuda = true },
        "cpu" => Default with { PreferCuda = false },
        _ => throw new ArgumentException($"--provider must be auto, cuda or cpu, not '{provider}'"),
    };
}
