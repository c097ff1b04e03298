using Zsad.Dicom.IO;
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
        DurableFile.Write(path, s =>
        {
            s.Write(instance.Part10HeaderBytes);
            s.Write(instance.DatasetBytes.Span);
        }, _flushToDisk);
        return ValueTask.CompletedTask;
    }
}
