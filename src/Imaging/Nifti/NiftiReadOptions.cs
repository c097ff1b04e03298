namespace Zsad.Imaging.Nifti;

/// <summary>Limits and input framing for <see cref="NiftiReader"/>.</summary>
public sealed record NiftiReadOptions
{
    public static NiftiReadOptions Default { get; } = new();

    /// <summary>Largest voxel data accepted, in bytes: a header asking for more is refused before anything is allocated.</summary>
    public long MaxDataBytes { get; init; } = 4L << 30;

    /// <summary>Whether the stream is gzip (.nii.gz); null detects it from the first two bytes (needs a seekable stream).</summary>
    public bool? Gzip { get; init; }
}
