using System.IO.Compression;

namespace Zsad.Imaging.Nifti;

/// <summary>Choices for <see cref="NiftiWriter"/>.</summary>
public sealed record NiftiWriteOptions
{
    public static NiftiWriteOptions Default { get; } = new();

    /// <summary>1 (348-byte header, dims up to 32767, float32 geometry) or 2 (540 bytes, 64-bit dims, float64 geometry).</summary>
    public int Version { get; init; } = 1;

    /// <summary>scl_slope; 0 writes no scaling (the stored values are the real values).</summary>
    public double SclSlope { get; init; }

    public double SclInter { get; init; }

    /// <summary>sform_code; Unknown leaves the sform out.</summary>
    public NiftiXformCode SformCode { get; init; } = NiftiXformCode.ScannerAnatomical;

    /// <summary>qform_code; Unknown leaves the qform out. dcm2niix writes both with code 1, and so does Zsad by default.</summary>
    public NiftiXformCode QformCode { get; init; } = NiftiXformCode.ScannerAnatomical;

    public string Description { get; init; } = "Zsad";

    /// <summary>Used for .gz output: Fastest writes a brain volume several times faster for a few percent more bytes.</summary>
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Fastest;

    /// <summary>Whether to gzip; null decides from the file name (.gz), and means no compression for streams.</summary>
    public bool? Gzip { get; init; }
}
