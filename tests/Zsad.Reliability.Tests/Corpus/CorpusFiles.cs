using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zsad.Reliability.Tests.Corpus;

/// <summary>Where the committed corpus lies (copied beside the test assembly) and its manifest.</summary>
public static class CorpusFiles
{
    public const string ManifestName = "corpus.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Corpus");

    /// <summary>The Corpus folder of the source tree (for regeneration with ZSAD_WRITE_CORPUS=1).</summary>
    public static string SourceDirectory([CallerFilePath] string here = "") => Path.GetDirectoryName(here)!;

    public static string PathOf(string relative) => Path.Combine(Directory, relative);

    public static byte[] Read(string relative) => File.ReadAllBytes(PathOf(relative));

    public static IReadOnlyList<CorpusEntry> Manifest()
        => JsonSerializer.Deserialize<List<CorpusEntry>>(File.ReadAllBytes(PathOf(ManifestName)), Json)
           ?? throw new InvalidDataException("the corpus manifest is empty");

    public static byte[] ManifestBytes(IReadOnlyList<CorpusEntry> entries) => JsonSerializer.SerializeToUtf8Bytes(entries, Json);

    public static TheoryData<string> NamesOf(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var entry in Manifest().Where(e => e.Kind == kind))
            data.Add(entry.Name);
        return data;
    }

    public static CorpusEntry Entry(string name) => Manifest().Single(e => e.Name == name);
}
