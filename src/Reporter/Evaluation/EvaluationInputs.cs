namespace Zsad.Reporter.Evaluation;

/// <summary>Pairs predictions (<c>PRED/&lt;id&gt;.nii.gz</c> or <c>.nii</c>) with BraTS-style truth
/// (<c>TRUTH/&lt;id&gt;/&lt;id&gt;-seg.nii.gz</c>). A subject present on one side only is an error: dropping it silently
/// would change the means without anyone noticing.</summary>
public static class EvaluationInputs
{
    private static readonly string[] Extensions = [".nii.gz", ".nii"];

    public static IReadOnlyList<EvaluationPair> Discover(string predictionDirectory, string truthDirectory)
    {
        if (!Directory.Exists(predictionDirectory))
            throw new DirectoryNotFoundException($"prediction folder {predictionDirectory} does not exist");
        if (!Directory.Exists(truthDirectory))
            throw new DirectoryNotFoundException($"truth folder {truthDirectory} does not exist");
        var predictions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(predictionDirectory))
        {
            var name = Path.GetFileName(path);
            var ext = Extensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.Ordinal));
            if (ext is null)
                continue;
            var id = name[..^ext.Length];
            if (!predictions.TryAdd(id, path))
                throw new ArgumentException($"subject {id} has two predictions: {predictions[id]} and {path}");
        }
        if (predictions.Count == 0)
            throw new ArgumentException($"no <id>.nii.gz prediction in {predictionDirectory}");

        var truthIds = Directory.EnumerateDirectories(truthDirectory).Select(Path.GetFileName).OfType<string>()
            .Where(id => TruthPath(truthDirectory, id) is not null).ToHashSet(StringComparer.Ordinal);
        var missingTruth = predictions.Keys.Where(id => !truthIds.Contains(id)).ToList();
        if (missingTruth.Count > 0)
            throw new ArgumentException($"no truth <id>/<id>-seg.nii.gz under {truthDirectory} for {missingTruth.Count} prediction(s): {string.Join(", ", missingTruth.Take(10))}");
        var missingPrediction = truthIds.Where(id => !predictions.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        if (missingPrediction.Count > 0)
            throw new ArgumentException($"no prediction <id>.nii.gz in {predictionDirectory} for {missingPrediction.Count} truth subject(s): {string.Join(", ", missingPrediction.Take(10))}");
        return predictions.Select(p => new EvaluationPair(p.Key, p.Value, TruthPath(truthDirectory, p.Key)!)).ToList();
    }

    private static string? TruthPath(string truthDirectory, string id)
        => Extensions.Select(e => Path.Combine(truthDirectory, id, id + "-seg" + e)).FirstOrDefault(File.Exists);
}
