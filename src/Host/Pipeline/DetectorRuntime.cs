using Zsad.Inference.Detection;

namespace Zsad.Host.Pipeline;

/// <summary>Where a detector computes: what /health, /metrics and every AnomalyMapReady report.</summary>
public static class DetectorRuntime
{
    /// <summary>The provider the detector's ONNX session really runs on, "Cuda" or "Cpu" (with the reason CUDA was
    /// not used, when it was asked for), or "none" for detectors without a neural network.</summary>
    public static (string Provider, string? FallbackReason) Describe(IAnomalyDetector detector)
        => DetectorCatalog.EngineOf(detector) is { } engine ? (engine.ExecutionProvider.ToString(), engine.FallbackReason) : ("none", null);
}
