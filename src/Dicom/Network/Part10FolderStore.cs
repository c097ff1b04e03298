using Microsoft.Win32.SafeHandles;
using Zsad.Dicom.IO;
namespace Zsad.Dicom.Network;

/// <summary>Stores received instances as Part 10 files named &lt;SOP Instance UID&gt;.dcm, durably: written in one
/// vectored write (meta header + dataset bytes as received, no copy) into an unnamed file taken from an
/// <see cref="UnnamedFilePool"/> and then linked under its name, or, without a pool (or when it has no file to give),
/// into a temporary file then renamed. With <c>flushToDisk</c> the naming goes through <see cref="GroupCommit.Shared"/>
/// (data flushed, named, directory flushed; instances arriving together on any association share the flushes). Either
/// way a crash never leaves a half file under the final name, and the C-STORE-RSP (sent after this completes)
/// promises data that is on disk.</summary>
public sealed class Part10FolderStore
{
    private static readonly string TemporarySuffix = $".{Environment.ProcessId}-";
    private static readonly string DirectoryPrefix = Path.DirectorySeparatorChar + ".";
    private static long _temporaryCounter;

    [ThreadStatic]
    private static ReadOnlyMemory<byte>[]? _segments;

    private readonly string _directory;
    private readonly bool _flushToDisk;
    private readonly UnnamedFilePool? _unnamedFiles;
    private readonly Action _recreateDirectory;

    /// <param name="unnamedFiles">Files opened ahead on the same filesystem (the caller owns and disposes the pool);
    /// null: every instance goes through a temporary file and a rename.</param>
    public Part10FolderStore(string directory, bool flushToDisk = true, UnnamedFilePool? unnamedFiles = null)
    {
        _directory = Path.GetFullPath(directory);
        _flushToDisk = flushToDisk;
        _unnamedFiles = unnamedFiles;
        _recreateDirectory = CreateDirectory;
        CreateDirectory();
    }

    public string PathFor(string sopInstanceUid)
    {
        // A UID is digits and dots only, so it cannot name a parent directory or an absolute path.
        if (!DicomUid.IsValid(sopInstanceUid) || sopInstanceUid.Contains(".."))
            throw new DicomStorageException(DicomStatus.CannotUnderstand, "SOP Instance UID is not a valid UID");
        return Path.Combine(_directory, sopInstanceUid + ".dcm");
    }

    public ValueTask StoreAsync(ReceivedInstance instance, CancellationToken cancellationToken)
    {
        var path = PathFor(instance.SopInstanceUid);
        if (_unnamedFiles?.Take() is { } unnamed)
            return StoreUnnamed(instance, unnamed, path);
        return StoreThroughTemporary(instance, path);
    }

    private ValueTask StoreUnnamed(ReceivedInstance instance, UnnamedFile file, string path)
    {
        try
        {
            Write(file.Handle, instance);
            if (_flushToDisk)
            {
                NativeSync.StartWriteback(file.Handle);
                return new ValueTask(GroupCommit.Shared.CommitAsync(file, path, _recreateDirectory)); // owns the file now
            }
            try
            {
                file.Link(path);
            }
            catch (DirectoryNotFoundException)
            {
                CreateDirectory(); // removed under us (an operator cleaning up)
                file.Link(path);
            }
        }
        catch
        {
            file.Dispose(); // closed unnamed: nothing is left on disk
            throw;
        }
        file.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Write(SafeFileHandle file, ReceivedInstance instance)
    {
        var segments = _segments ??= new ReadOnlyMemory<byte>[2];
        segments[0] = instance.Part10Header;
        segments[1] = instance.DatasetBytes;
        try
        {
            RandomAccess.Write(file, segments, 0); // one pwritev
        }
        finally
        {
            segments[0] = segments[1] = default; // the dataset buffer belongs to the association
        }
    }

    private ValueTask StoreThroughTemporary(ReceivedInstance instance, string path)
    {
        // unique per process and write, and DurableFile.IsTemporary: scans pass over it
        var temporary = string.Concat(_directory, DirectoryPrefix, instance.SopInstanceUid, TemporarySuffix,
            Interlocked.Increment(ref _temporaryCounter).ToString(System.Globalization.CultureInfo.InvariantCulture), ".tmp");
        var file = Create(temporary);
        try
        {
            Write(file, instance);
            if (_flushToDisk)
                NativeSync.StartWriteback(file);
        }
        catch
        {
            file.Dispose();
            File.Delete(temporary);
            throw;
        }
        if (_flushToDisk)
            return new ValueTask(GroupCommit.Shared.CommitAsync(file, temporary, path));
        file.Dispose();
        try
        {
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        return ValueTask.CompletedTask;
    }

    private SafeFileHandle Create(string temporary)
    {
        try
        {
            return File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write);
        }
        catch (DirectoryNotFoundException)
        {
            // the folder was removed under us (an operator cleaning up): make it again, once, not per instance
            CreateDirectory();
            return File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write);
        }
    }

    private void CreateDirectory() => CreateFolder(_directory, _flushToDisk);

    /// <summary>Creates <paramref name="directory"/> if missing (and, with <paramref name="flushToDisk"/>, makes its
    /// name durable): what a caller needs before opening an <see cref="UnnamedFilePool"/> there.</summary>
    public static void CreateFolder(string directory, bool flushToDisk)
    {
        var full = Path.GetFullPath(directory);
        if (Directory.Exists(full))
            return;
        Directory.CreateDirectory(full);
        if (flushToDisk)
            NativeSync.FlushDirectory(Path.GetDirectoryName(full)!); // its name in the parent is durable too
    }
}
