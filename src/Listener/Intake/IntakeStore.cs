using Zsad.Dicom.IO;
using System.Collections.Concurrent;
using System.Text.Json;
using Zsad.Dicom.Network;
using Zsad.Listener.Storage;

namespace Zsad.Listener.Intake;

/// <summary>The durable intake: one folder per series (see <see cref="SeriesKey.DirectoryName"/>) holding series.json
/// (its key), &lt;SOP Instance UID&gt;.dcm per instance and outcome-&lt;generation&gt;.json once processed. Everything
/// the Listener needs after a crash is in these files.</summary>
public sealed class IntakeStore : IDisposable
{
    private const string KeyFile = "series.json";
    private const string OutcomePrefix = "outcome-";
    private readonly ConcurrentDictionary<string, Part10FolderStore> _folders = new(StringComparer.Ordinal);
    private readonly bool _flushToDisk;
    private readonly UnnamedFilePool? _unnamedFiles;

    /// <param name="openFilesAhead">Instances are written into unnamed files opened ahead in the series root by a
    /// background thread (<see cref="UnnamedFilePool"/>, where the filesystem allows it) and linked into their series
    /// folder; dispose the store to close them. Without it, each instance goes through a temporary file and a rename.</param>
    public IntakeStore(string root, bool flushToDisk = true, bool openFilesAhead = false)
    {
        Root = Path.GetFullPath(root);
        _flushToDisk = flushToDisk;
        Directory.CreateDirectory(SeriesRoot);
        if (openFilesAhead)
            _unnamedFiles = UnnamedFilePool.TryCreate(SeriesRoot, out _);
    }

    /// <summary>Whether instances are written through unnamed files opened ahead (see the constructor).</summary>
    public bool OpensFilesAhead => _unnamedFiles is not null;

    public string Root { get; }

    private string SeriesRoot => Path.Combine(Root, "series");

    public string DirectoryOf(SeriesKey key) => Path.Combine(SeriesRoot, key.DirectoryName);

    /// <summary>Writes the instance durably (returns only once it is on disk). A SOP Instance UID already stored is
    /// not written again: a resend after a lost C-STORE-RSP is the same instance.</summary>
    public async ValueTask<bool> StoreAsync(SeriesKey key, ReceivedInstance instance, CancellationToken cancellationToken)
    {
        var directory = DirectoryOf(key);
        var folder = _folders.GetOrAdd(directory, d =>
        {
            if (!Directory.Exists(d))
            {
                Directory.CreateDirectory(d);
                if (_flushToDisk)
                    NativeSync.FlushDirectory(SeriesRoot); // the new folder's name survives a crash with its files
            }
            // The key goes down before the first instance, so a rescan can always tell which series a folder holds.
            var keyPath = Path.Combine(d, KeyFile);
            if (!File.Exists(keyPath))
                DurableFile.Write(keyPath, JsonSerializer.SerializeToUtf8Bytes(key, ListenerJsonContext.Default.SeriesKey), _flushToDisk);
            return new Part10FolderStore(d, _flushToDisk, _unnamedFiles);
        });
        if (File.Exists(folder.PathFor(instance.SopInstanceUid)))
            return false;
        await folder.StoreAsync(instance, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The stored instance files of a series, in name order (slice order comes from the geometry later).</summary>
    public IReadOnlyList<string> InstancePaths(string directory)
        => Directory.EnumerateFiles(directory, "*.dcm").Where(p => !DurableFile.IsTemporary(p)).Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<SeriesOutcome> Outcomes(string directory)
    {
        if (!Directory.Exists(directory))
            return [];
        return Directory.EnumerateFiles(directory, OutcomePrefix + "*.json")
            .Select(p => JsonSerializer.Deserialize(File.ReadAllBytes(p), ListenerJsonContext.Default.SeriesOutcome)!)
            .OrderBy(o => o.Generation)
            .ToList();
    }

    public void RecordOutcome(string directory, SeriesOutcome outcome)
        => DurableFile.Write(Path.Combine(directory, $"{OutcomePrefix}{outcome.Generation}.json"),
            JsonSerializer.SerializeToUtf8Bytes(outcome, ListenerJsonContext.Default.SeriesOutcome), _flushToDisk);

    /// <summary>Every series folder with its key, instance count and outcomes; folders without a readable key are
    /// left alone (they cannot be attributed).</summary>
    public IEnumerable<StoredSeries> Scan()
    {
        foreach (var directory in Directory.EnumerateDirectories(SeriesRoot).Order(StringComparer.Ordinal))
        {
            var keyPath = Path.Combine(directory, KeyFile);
            if (!File.Exists(keyPath))
                continue;
            SeriesKey? key;
            try
            {
                key = JsonSerializer.Deserialize(File.ReadAllBytes(keyPath), ListenerJsonContext.Default.SeriesKey);
            }
            catch (JsonException)
            {
                continue;
            }
            if (key is null)
                continue;
            yield return new StoredSeries(key, directory, InstancePaths(directory).Count, Outcomes(directory));
        }
    }

    /// <summary>Closes the files opened ahead (nothing is left on disk: they have no name).</summary>
    public void Dispose() => _unnamedFiles?.Dispose();
}
