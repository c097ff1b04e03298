namespace Zsad.Inference.Bundles;

/// <summary>The closed sets of words a manifest may use, so an exporter typo fails at load with the allowed list.</summary>
public static class BundleVocabulary
{
    public const int SchemaVersion = 1;

    public static IReadOnlyDictionary<string, DetectorMethod> Methods { get; } = new Dictionary<string, DetectorMethod>(StringComparer.Ordinal)
    {
        ["anomalyclip"] = DetectorMethod.AnomalyClip,
        ["vand"] = DetectorMethod.Vand,
        ["anovl"] = DetectorMethod.AnoVl,
        ["adaclip"] = DetectorMethod.AdaClip,
        ["winclip"] = DetectorMethod.WinClip,
        ["mvfa"] = DetectorMethod.Mvfa,
        ["mediclip"] = DetectorMethod.MediClip,
        ["feature-memory"] = DetectorMethod.FeatureMemory,
    };

    public static IReadOnlyList<string> WeightsSetups { get; } = ["industrial", "finetune", "brats", "pmc", "custom"];
    public static IReadOnlyList<string> ResizeModes { get; } = ["bilinear", "bicubic"];
    public static IReadOnlyList<string> MapOrders { get; } = ["softmax-then-upsample", "upsample-then-softmax"];
    public static IReadOnlyList<string> LayerReductions { get; } = ["sum", "mean"];
    public static IReadOnlyList<string> ImageScores { get; } = ["global-softmax", "max-map", "vand-few-shot", "hybrid-semantic-fusion", "augmented-mean"];
}
