using Microsoft.Win32.SafeHandles;

namespace Zsad.Dicom.IO;

/// <summary>Group commit for files written to a temporary name: whatever is waiting when the committer thread comes
/// round is made durable together (each file's data flushed, all renamed to their final names, each directory
/// involved flushed once), so N writers arriving together pay about one journal commit for data and one for names
/// instead of N. A commit completes only once its own file and name are on disk; a caller that acknowledges after
/// awaiting it (the C-STORE-RSP) never promises data a crash could lose.</summary>
public sealed class GroupCommit
{
    /// <summary>One committer for the whole process: writers on every association and store share its batches.</summary>
    public static GroupCommit Shared { get; } = new();

    private readonly object _gate = new();
    private List<Entry> _waiting = [];
    private Thread? _thread;

    /// <summary>Takes ownership of <paramref name="file"/> (written at <paramref name="temporaryPath"/>, closed
    /// here): flushes it, renames it over <paramref name="targetPath"/> and flushes the target's directory. On
    /// failure the temporary file is removed and the task faults with the <see cref="IOException"/>.</summary>
    public Task CommitAsync(SafeFileHandle file, string temporaryPath, string targetPath)
    {
        var entry = new Entry(file, temporaryPath, targetPath);
        lock (_gate)
        {
            _waiting.Add(entry);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "zsad group commit" };
                _thread.Start();
            }
            Monitor.Pulse(_gate);
        }
        return entry.Done.Task;
    }

    private void Run()
    {
        var batch = new List<Entry>();
        var directories = new Dictionary<string, Exception?>(StringComparer.Ordinal);
        while (true)
        {
            lock (_gate)
            {
                while (_waiting.Count == 0)
                    Monitor.Wait(_gate);
                (batch, _waiting) = (_waiting, batch);
            }
            try
            {
                Commit(batch, directories);
            }
            catch (Exception ex)
            {
                // a bug, not an I/O failure: the writers must hear of it rather than wait forever
                foreach (var e in batch)
                    e.Done.TrySetException(ex);
            }
            batch.Clear();
            directories.Clear();
        }
    }

    private static void Commit(List<Entry> batch, Dictionary<string, Exception?> directories)
    {
        // 1. data: the first flush commits the journal transaction that holds every file's block allocation
        //    (their writeback was started by the writers), so the others mostly find their data already durable
        foreach (var e in batch)
        {
            try
            {
                NativeSync.FlushFile(e.File);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                e.Error = ex;
            }
            finally
            {
                e.File.Dispose();
            }
        }
        // 2. names: only durable data gets its final name, so a crash never leaves a short file under it
        foreach (var e in batch)
        {
            if (e.Error is not null)
                continue;
            try
            {
                File.Move(e.TemporaryPath, e.TargetPath, overwrite: true);
                e.Renamed = true;
                directories[Path.GetDirectoryName(e.TargetPath)!] = null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                e.Error = ex;
            }
        }
        // 3. the renames themselves, one directory flush per directory of the batch
        foreach (var directory in directories.Keys.ToList())
        {
            try
            {
                NativeSync.FlushDirectory(directory);
            }
            catch (IOException ex)
            {
                directories[directory] = ex;
            }
        }
        foreach (var e in batch)
        {
            if (e.Renamed && directories[Path.GetDirectoryName(e.TargetPath)!] is { } dirError)
                e.Error = dirError;
            if (e.Error is null)
            {
                e.Done.TrySetResult();
                continue;
            }
            if (!e.Renamed)
                TryDelete(e.TemporaryPath);
            e.Done.TrySetException(e.Error);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // a leftover temporary file is skipped by every scan (DurableFile.IsTemporary)
        }
    }

    private sealed class Entry(SafeFileHandle file, string temporaryPath, string targetPath)
    {
        public SafeFileHandle File { get; } = file;
        public string TemporaryPath { get; } = temporaryPath;
        public string TargetPath { get; } = targetPath;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Exception? Error { get; set; }
        public bool Renamed { get; set; }
    }
}
