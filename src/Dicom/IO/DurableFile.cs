namespace Zsad.Dicom.IO;

/// <summary>Whole-file writes that survive a crash: bytes go to a temporary file beside the target, are flushed to
/// disk, then renamed over the target and the directory is flushed (so the new name is on disk too), so a reader
/// (or a restart) sees the old file or the new one, never half.
/// Every store in Zsad writes this way: acknowledged instances, blobs, outbox entries, SEGs, dead letters.</summary>
public static class DurableFile
{
    public static void Write(string path, Action<Stream> write, bool flushToDisk = true)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var tmp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(fs);
                if (flushToDisk)
                    fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
        if (flushToDisk)
            NativeSync.FlushDirectory(directory); // the rename itself survives a crash only once its directory is flushed
    }

    public static void Write(string path, ReadOnlyMemory<byte> bytes, bool flushToDisk = true)
        => Write(path, s => s.Write(bytes.Span), flushToDisk);

    public static void WriteAllText(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>True for the leftovers of a write that a crash interrupted; scans pass over them.</summary>
    public static bool IsTemporary(string path) => Path.GetFileName(path).StartsWith('.') && path.EndsWith(".tmp", StringComparison.Ordinal);
}
