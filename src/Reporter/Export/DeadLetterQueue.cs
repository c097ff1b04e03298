using System.Text.Json;
using Zsad.Dicom.IO;

namespace Zsad.Reporter.Export;

/// <summary>Dead letters on disk: <c>&lt;id&gt;.json</c> plus a folder <c>&lt;id&gt;.files/</c> with copies of the files,
/// all written durably, so a delivery that failed survives restarts and the clean-up of the original outputs.</summary>
public sealed class DeadLetterQueue
{
    public DeadLetterQueue(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    /// <summary>Records a failed delivery; the files are copied next to the record first.</summary>
    public string Add(ExportDestination destination, IReadOnlyList<string> files, string error, int attempts, DateTimeOffset? firstFailure = null)
    {
        var now = DateTimeOffset.UtcNow;
        var name = Safe(destination.Name);
        var id = $"{now:yyyyMMddTHHmmssfff}-{name[..Math.Min(16, name.Length)]}-{Guid.NewGuid():N}";
        var filesDirectory = Path.Combine(Directory, id + ".files");
        var copies = new List<string>();
        for (var i = 0; i < files.Count; i++)
        {
            var copy = Path.Combine(filesDirectory, $"{i:D5}-{Path.GetFileName(files[i])}");
            DurableFile.Write(copy, s =>
            {
                using var input = File.OpenRead(files[i]);
                input.CopyTo(s);
            });
            copies.Add(copy);
        }
        var record = new DeadLetterRecord
        {
            Destination = destination,
            Files = copies,
            LastError = error,
            Attempts = attempts,
            FirstFailure = firstFailure ?? now,
            Time = now,
        };
        var path = Path.Combine(Directory, id + ".json");
        Save(path, record);
        return path;
    }

    public IReadOnlyList<(string Path, DeadLetterRecord Record)> List()
    {
        if (!System.IO.Directory.Exists(Directory))
            return [];
        return System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal)
            .Select(p => (p, JsonSerializer.Deserialize(File.ReadAllBytes(p), DeadLetterJsonContext.Default.DeadLetterRecord)
                ?? throw new InvalidDataException($"dead letter {p} is empty"))).ToList();
    }

    public static void Save(string path, DeadLetterRecord record)
        => DurableFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(record, DeadLetterJsonContext.Default.DeadLetterRecord));

    /// <summary>Removes a delivered record and its file copies (the record goes first: a crash in between leaves
    /// stray copies, never a record pointing at nothing).</summary>
    public static void Remove(string recordPath)
    {
        File.Delete(recordPath);
        var files = Path.ChangeExtension(recordPath, ".files");
        if (System.IO.Directory.Exists(files))
            System.IO.Directory.Delete(files, recursive: true);
    }

    private static string Safe(string s) => new(s.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
}
