namespace Zsad.Dicom.Network;

/// <summary>Stores received instances as Part 10 files named &lt;SOP Instance UID&gt;.dcm, durably: written to a
/// temporary file, flushed to disk, then renamed, so a crash never leaves a half file under the final name and
/// the C-STORE-RSP (sent after this returns) promises data that is on disk.</summary>
public sealed class Part10FolderStore
{
    private readonly string _directory;
    private readonly bool _flushToDisk;

    public Part10FolderStore(string directory, bool flushToDisk = true)
    {
        _directory = Path.GetFullPath(directory);
        _flushToDisk = flushToDisk;
        Directory.CreateDirectory(_directory);
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
        var tmp = Path.Combine(_directory, $".{instance.SopInstanceUid}.{Guid.NewGuid():N}.tmp");
        try
        {
            // Synchronous writes: a file is written in two large chunks, where Linux async file I/O only adds
            // thread-pool hops; the SCP already runs each association on its own task.
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                fs.Write(instance.Part10HeaderBytes);
                fs.Write(instance.DatasetBytes.Span);
                if (_flushToDisk)
                    fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
        return ValueTask.CompletedTask;
    }
}
