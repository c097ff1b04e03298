namespace Zsad.Inference.Engine;

/// <summary>How an <see cref="OnnxEngine"/> runs its model.</summary>
public sealed record EngineOptions
{
    public static EngineOptions Default { get; } = new();

    /// <summary>Try CUDA first; CPU is used when the CUDA provider cannot be loaded (no GPU, no CUDA libraries).</summary>
    public bool PreferCuda { get; init; } = true;

    public int CudaDeviceId { get; init; }

    /// <summary>Threads inside one operator; 0 means one per logical core of this machine.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Slices per encoder run: big enough to keep the cores (or the GPU) busy, small enough for memory.</summary>
    public int MaxBatch { get; init; } = 8;
}
