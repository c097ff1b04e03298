namespace Zsad.Inference.Bundles;

/// <summary>The methods a bundle can name, with the manifest spelling of each.</summary>
public enum DetectorMethod
{
    AnomalyClip,
    Vand,
    AnoVl,
    AdaClip,
    WinClip,
    Mvfa,
    MediClip,
    /// <summary>PatchCore-style nearest-neighbour scoring against a memory bank; no text features.</summary>
    FeatureMemory,
}
