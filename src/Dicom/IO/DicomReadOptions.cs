namespace Zsad.Dicom.IO;

/// <summary>Limits the reader enforces so that hostile input cannot exhaust the stack or memory.</summary>
public sealed record DicomReadOptions
{
    public static readonly DicomReadOptions Default = new();

    /// <summary>Deepest sequence nesting accepted; real objects stay below 10.</summary>
    public int MaxSequenceDepth { get; init; } = 32;

    /// <summary>Largest inflated size of a Deflated dataset, and its largest expansion ratio over the compressed size.</summary>
    public long MaxInflatedLength { get; init; } = 2L << 30;
    public int MaxInflateRatio { get; init; } = 1000;

    /// <summary>Stop at the top-level Pixel Data element (header-only reads of big series).</summary>
    public bool StopBeforePixelData { get; init; }

    /// <summary>Give UN elements of known public tags their dictionary VR (as pydicom and dcmtk do).</summary>
    public bool ReplaceUNWithKnownVR { get; init; } = true;
}
