namespace Zsad.Imaging.Nifti;

/// <summary>The one exception malformed NIfTI input raises: it names the header field at fault and its byte offset.</summary>
public sealed class NiftiFormatException : Exception
{
    public NiftiFormatException(string field, string message, long offset = -1, Exception? inner = null)
        : base(offset >= 0 ? $"NIfTI {field}: {message} (at byte offset {offset})" : $"NIfTI {field}: {message}", inner)
    {
        Field = field;
        Offset = offset;
    }

    /// <summary>The header field (nifti1.h / nifti2.h name, e.g. "dim[3]" or "vox_offset"), or "data" for the voxels.</summary>
    public string Field { get; }

    /// <summary>Byte offset of the field in the file (of the uncompressed stream for .nii.gz), or -1.</summary>
    public long Offset { get; }
}
