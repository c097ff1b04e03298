namespace Zsad.Imaging.Series;

/// <summary>Where a volume slice came from: the SOP instance and, for multi-frame objects, the 1-based frame number.</summary>
public sealed record SeriesSlice(string SopClassUid, string SopInstanceUid, int? FrameNumber, Vec3 Position);
