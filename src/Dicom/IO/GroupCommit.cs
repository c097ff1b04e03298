using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Zsad.Dicom.IO;

/// <summary>Group commit for files written to a temporary name or without one (<see cref="UnnamedFile"/>): whatever
/// is waiting when a stage comes round is made durable together, so N writers arriving together pay about one journal
/// commit for their data and one for their names instead of N each. Two stages on two threads, so the disk is kept
/// busy: the data stage flushes each file of a batch and renames or links it to its final name (only durable data
/// gets a final name, so a crash never leaves a short file under it); the name stage flushes each directory of a
/// batch once and completes its commits, while the data stage already works on the next batch. A commit completes
/// only once its own data and name are on disk, so a caller that acknowledges after awaiting it (the C-STORE-RSP)
/// never promises what a crash could lose.</summary>
public sealed class GroupCommit
{
    /// <summary>One committer for the whole process: writers on every association and store share its batches.</summary>
    public static GroupCommit Shared { get; } = new();

    private readonly Stage _data;
    private readonly Stage _names;
    private long _batches;
    private long _files;
    private long _dataTicks;
    private long _nameTicks;

    public GroupCommit()
    {
        _names = new Stage("zsad group commit (names)", batch => Timed(ref _nameTicks, () => FlushNames(batch)));
        _data = new Stage("zsad group commit (data)", batch =>
        {
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _files, batch.Count);
            Timed(ref _dataTicks, () => FlushDataAndName(batch));
            _names.Add(batch);
        });
    }

    /// <summary>Batches and files committed so far, and the time the two stages spent (they overlap): the mean
    /// batch size says how much the sharing saves; `zsad scp` prints it when it stops.</summary>
    public (long Batches, long Files, TimeSpan DataStage, TimeSpan NameStage) Statistics
        => (Interlocked.Read(ref _batches), Interlocked.Read(ref _files), TimeSpan.FromTicks(Interlocked.Read(ref _dataTicks)),
            TimeSpan.FromTicks(Interlocked.Read(ref _nameTicks)));

    /// <summary>Takes ownership of <paramref name="file"/> (written at <paramref name="temporaryPath"/>, closed
    /// here): flushes it, renames it over <paramref name="targetPath"/> and flushes the target's directory. On
    /// failure the temporary file is removed and the task faults with the <see cref="IOException"/>.</summary>
    public Task CommitAsync(SafeFileHandle file, string temporaryPath, string targetPath)
    {
        var entry = new Entry(file, targetPath) { TemporaryPath = temporaryPath };
        _data.Add([entry]);
        return entry.Done.Task;
    }

    /// <summary>Takes ownership of <paramref name="file"/> (written, closed here): flushes it, links it as
    /// <paramref name="targetPath"/> and flushes the target's directory, in that order. If the target's folder is
    /// missing, <paramref name="recreateDirectory"/> (when given) is called and the link tried once more. On failure
    /// the file is closed unnamed (nothing is left on disk) and the task faults with the <see cref="IOException"/>.</summary>
    public Task CommitAsync(UnnamedFile file, string targetPath, Action? recreateDirectory = null)
    {
        var entry = new Entry(file.Handle, targetPath) { Unnamed = file, RecreateDirectory = recreateDirectory };
        _data.Add([entry]);
        return entry.Done.Task;
    }

    private static void Timed(ref long ticks, Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        Interlocked.Add(ref ticks, Stopwatch.GetElapsedTime(started).Ticks);
    }

    private static void FlushDataAndName(List<Entry> batch)
    {
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
                if (e.Unnamed is null)
                    e.File.Dispose(); // renamed closed (Windows cannot rename an open file); linked only while open
            }
        }
        foreach (var e in batch)
        {
            try
            {
                if (e.Error is not null)
                    continue;
                if (e.Unnamed is { } unnamed)
                    Link(unnamed, e);
                else
                    File.Move(e.TemporaryPath!, e.TargetPath, overwrite: true);
                e.Named = true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                e.Error = ex;
            }
            finally
            {
                e.Unnamed?.Dispose();
            }
        }
    }

    private static void Link(UnnamedFile file, Entry e)
    {
        try
        {
            file.Link(e.TargetPath);
        }
        catch (DirectoryNotFoundException) when (e.RecreateDirectory is { } recreate)
        {
            recreate();
            file.Link(e.TargetPath);
        }
    }

    private static void FlushNames(List<Entry> batch)
    {
        var directories = new Dictionary<string, Exception?>(StringComparer.Ordinal);
        foreach (var e in batch)
            if (e.Named)
                directories[Path.GetDirectoryName(e.TargetPath)!] = null;
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
            if (e.Named && directories[Path.GetDirectoryName(e.TargetPath)!] is { } dirError)
                e.Error = dirError;
            if (e.Error is null)
            {
                e.Done.TrySetResult();
                continue;
            }
            if (!e.Named && e.TemporaryPath is { } temporary)
                TryDelete(temporary); // an unnamed file vanished when it was closed
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

    /// <summary>A queue and the thread (started on first use) that takes everything queued as one batch.</summary>
    private sealed class Stage(string name, Action<List<Entry>> process)
    {
        private readonly object _gate = new();
        private List<Entry> _waiting = [];
        private Thread? _thread;

        public void Add(List<Entry> entries)
        {
            lock (_gate)
            {
                _waiting.AddRange(entries);
                if (_thread is null)
                {
                    _thread = new Thread(Run) { IsBackground = true, Name = name };
                    _thread.Start();
                }
                Monitor.Pulse(_gate);
            }
        }

        private void Run()
        {
            while (true)
            {
                List<Entry> batch;
                lock (_gate)
                {
                    while (_waiting.Count == 0)
                        Monitor.Wait(_gate);
                    (batch, _waiting) = (_waiting, []);
                }
                try
                {
                    process(batch);
                }
                catch (Exception ex)
                {
                    // a bug, not an I/O failure: the writers must hear of it rather than wait forever
                    foreach (var e in batch)
                        e.Done.TrySetException(ex);
                }
            }
        }
    }

    private sealed class Entry(SafeFileHandle file, string targetPath)
    {
        public SafeFileHandle File { get; } = file;
        public string TargetPath { get; } = targetPath;
        /// <summary>Renamed to <see cref="TargetPath"/>: a file written under a temporary name.</summary>
        public string? TemporaryPath { get; init; }
        /// <summary>Linked as <see cref="TargetPath"/>: a file without a name until then.</summary>
        public UnnamedFile? Unnamed { get; init; }
        public Action? RecreateDirectory { get; init; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Exception? Error { get; set; }
        public bool Named { get; set; }
    }
}
