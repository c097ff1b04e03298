using Zsad.Inference.Detection;

namespace Zsad.Host.Pipeline;

/// <summary>Where a detector computes: what /health reports and every AnomalyMapReady records.</summary>
public static class DetectorRuntime
{
    /// <summary>"Cuda", "Cpu" (with the reason CUDA was not used, when there is one) or "none" for detectors
    /// without a neural network.</summary>
    public static (string Provider, string? FallbackReason) Describe(IAnomalyDetector detector) => detector switch
    {
        ResNetMemoryDetector resnet => (resnet.Backbone.Engine.ExecutionProvider.ToString(), resnet.Backbone.Engine.FallbackReason),
        _ => ("none", null),
    };
}
