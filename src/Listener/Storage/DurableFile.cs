namespace Zsad.Listener.Storage;

/// <summary>Whole-file writes that survive a crash: bytes go to a temporary file beside the target, are flushed to
/// disk, then renamed over the target, so a reader (or a restart) sees the old file or the new one, never half.</summary>
public static class DurableFile
{
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool flushToDisk = true)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var tmp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                fs.Write(bytes);
                if (flushToDisk)
                    fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    /// <summary>True for the leftovers of a write that a crash interrupted; scans pass over them.</summary>
    public static bool IsTemporary(string path) => Path.GetFileName(path).StartsWith('.') && path.EndsWith(".tmp", StringComparison.Ordinal);
}
