using Zsad.Imaging;

namespace Zsad.Inference.Detection;

/// <summary>Turns a volume into an anomaly map on the same grid: values in [0, 1], 0 outside the brain mask.</summary>
public interface IAnomalyDetector
{
    string Name { get; }

    /// <param name="mask">The brain mask on the volume's grid; computed from the volume when null.</param>
    AnomalyResult Detect(Volume<float> volume, Volume<byte>? mask = null);
}
