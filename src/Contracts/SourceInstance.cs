namespace Zsad.Contracts;

/// <summary>The DICOM instance (and, for multi-frame objects, the 1-based frame) behind one volume slice.</summary>
public sealed record SourceInstance(string SopClassUid, string SopInstanceUid, int? FrameNumber);
