using Zsad.Dicom;

namespace Zsad.Reporter.Storage;

/// <summary>Writes a file so that a crash leaves either the old content or the complete new one, and the new one
/// is on the disk (fsync) before the call returns: outputs are kept locally before anything is sent anywhere.</summary>
public static class DurableFile
{
    public static void Write(string path, Action<Stream> write)
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
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Saves a DICOM object as Part 10 (Explicit VR Little Endian), durably.</summary>
    public static void SaveDicom(DicomDataset dataset, string path)
        => Write(path, s => new DicomFile(dataset, TransferSyntax.ExplicitVRLittleEndian).Save(s));
}
