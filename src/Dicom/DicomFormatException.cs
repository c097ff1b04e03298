namespace Zsad.Dicom;

/// <summary>The one exception malformed DICOM input raises: it names what is wrong and where (byte offset).</summary>
public sealed class DicomFormatException : Exception
{
    /// <summary>Offset in the bytes being parsed (after inflation for Deflated syntax), or -1 when none applies.</summary>
    public long Offset { get; }

    public DicomFormatException(string message, long offset = -1, Exception? inner = null)
        : base(offset >= 0 ? $"{message} (at byte offset {offset})" : message, inner)
    {
        Offset = offset;
    }
}
