namespace Zsad.Dicom.Network;

/// <summary>An instance queued for C-STORE: its UIDs and transfer syntax known up front (from the meta header
/// alone where possible), its bytes loaded only when it is sent.</summary>
internal sealed class OutgoingInstance
{
    private const int MetaProbeLength = 64 * 1024;

    private readonly string? _path;
    private DicomFile? _file;

    private OutgoingInstance(string source, string sopClassUid, string sopInstanceUid, TransferSyntax syntax, string? path, DicomFile? file)
    {
        Source = source;
        SopClassUid = sopClassUid;
        SopInstanceUid = sopInstanceUid;
        Syntax = syntax;
        _path = path;
        _file = file;
    }

    public string Source { get; }
    public string SopClassUid { get; }
    public string SopInstanceUid { get; }
    public TransferSyntax Syntax { get; }

    public static OutgoingInstance FromFile(DicomFile file, string? label = null)
    {
        var sopClass = file.Dataset.GetString(DicomTags.SOPClassUID) ?? throw new InvalidOperationException("the dataset has no SOPClassUID");
        var sopInstance = file.Dataset.GetString(DicomTags.SOPInstanceUID) ?? throw new InvalidOperationException("the dataset has no SOPInstanceUID");
        return new OutgoingInstance(label ?? sopInstance, sopClass, sopInstance, file.TransferSyntax, null, file);
    }

    /// <summary>Reads the meta header of a Part 10 file; a file without one is parsed whole instead.</summary>
    public static OutgoingInstance FromPath(string path)
    {
        byte[] head;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            head = new byte[(int)Math.Min(fs.Length, MetaProbeLength)];
            fs.ReadExactly(head);
        }
        if (Part10.ReadMeta(head) is { Meta: var meta }
            && meta.GetString(DicomTags.MediaStorageSOPClassUID) is { Length: > 0 } sopClass
            && meta.GetString(DicomTags.MediaStorageSOPInstanceUID) is { Length: > 0 } sopInstance)
            return new OutgoingInstance(path, sopClass, sopInstance, TransferSyntax.Get(meta.GetString(DicomTags.TransferSyntaxUID)!), path, null);
        var file = DicomFile.Open(path);
        var instance = FromFile(file, path);
        return instance;
    }

    /// <summary>The dataset bytes in <paramref name="target"/>: the file's own bytes, unchanged, when the syntax
    /// matches; otherwise transcoded through <see cref="DicomFile.ToBytes"/>.</summary>
    public ReadOnlyMemory<byte> GetDataset(TransferSyntax target)
    {
        byte[] part10;
        if (target == Syntax)
        {
            part10 = _path is not null ? File.ReadAllBytes(_path) : _file!.ToBytes();
        }
        else
        {
            var file = _file ?? DicomFile.Open(_path!);
            part10 = file.ToBytes(target);
        }
        var (_, offset) = Part10.ReadMeta(part10) ?? throw new DicomFormatException($"{Source} is not a Part 10 file");
        if (target.IsDeflated && (part10.Length - offset) % 2 == 1)
        {
            // PS3.5 A.5: an odd-length deflated stream gets one trailing NUL; dcmtk refuses odd PDV fragments
            var padded = new byte[part10.Length - offset + 1];
            part10.AsSpan(offset).CopyTo(padded);
            return padded;
        }
        return part10.AsMemory(offset);
    }

    /// <summary>Frees a parsed file kept from scanning, once sent.</summary>
    public void Release()
    {
        if (_path is not null)
            _file = null;
    }
}
