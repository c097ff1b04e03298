using Microsoft.Win32.SafeHandles;
using Zsad.Dicom.IO;
namespace Zsad.Dicom.Network;

/// <summary>Stores received instances as Part 10 files named &lt;SOP Instance UID&gt;.dcm, durably: written to a
/// temporary file in one vectored write (meta header + dataset bytes as received, no copy), then, with
/// <c>flushToDisk</c>, committed through <see cref="GroupCommit.Shared"/> (data flushed, renamed, directory
/// flushed; instances arriving together on any association share the flushes), so a crash never leaves a half
/// file under the final name and the C-STORE-RSP (sent after this completes) promises data that is on disk.</summary>
public sealed class Part10FolderStore
{
    private static readonly string TemporarySuffix = $".{Environment.ProcessId}-";
    private static readonly string DirectoryPrefix = Path.DirectorySeparatorChar + ".";
    private static long _temporaryCounter;

    [ThreadStatic]
    private static ReadOnlyMemory<byte>[]? _segments;

    private readonly string _directory;
    private readonly bool _flushToDisk;

    public Part10FolderStore(string directory, bool flushToDisk = true)
    {
        _directory = Path.GetFullPath(directory);
        _flushToDisk = flushToDisk;
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
        // unique per process and write, and DurableFile.IsTemporary: scans pass over it
        var temporary = string.Concat(_directory, DirectoryPrefix, instance.SopInstanceUid, TemporarySuffix,
            Interlocked.Increment(ref _temporaryCounter).ToString(System.Globalization.CultureInfo.InvariantCulture), ".tmp");
        var file = Create(temporary);
        try
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

    private void CreateDirectory()
    {
        if (Directory.Exists(_directory))
            return;
        Directory.CreateDirectory(_directory);
        if (_flushToDisk)
            NativeSync.FlushDirectory(Path.GetDirectoryName(_directory)!); // its name in the parent is durable too
    }
}
