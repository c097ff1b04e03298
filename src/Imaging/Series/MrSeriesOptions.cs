using Zsad.Dicom;

namespace Zsad.Imaging.Series;

/// <summary>Identity and acquisition attributes for <see cref="DicomSeriesWriter"/>. UIDs left null are derived
/// from <see cref="UidSeed"/> when it is set (so rewriting the same volume gives the same objects), else new.</summary>
public sealed record MrSeriesOptions
{
    public string PatientName { get; init; } = "Anonymous^Zsad";
    public string PatientId { get; init; } = "ZSAD";
    public string PatientBirthDate { get; init; } = "";
    public string PatientSex { get; init; } = "O";
    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }
    public string? FrameOfReferenceUid { get; init; }
    public string? UidSeed { get; init; }
    public DateOnly StudyDate { get; init; } = DateOnly.FromDateTime(DateTime.UtcNow);
    public TimeOnly StudyTime { get; init; } = TimeOnly.FromDateTime(DateTime.UtcNow);
    public string StudyId { get; init; } = "1";
    public string AccessionNumber { get; init; } = "";
    public string StudyDescription { get; init; } = "";
    public int SeriesNumber { get; init; } = 1;
    public string SeriesDescription { get; init; } = "Zsad volume";
    public string Manufacturer { get; init; } = "Zsad";
    public string[] ImageType { get; init; } = ["DERIVED", "SECONDARY", "OTHER"];
    public string ScanningSequence { get; init; } = "SE";
    public string SequenceVariant { get; init; } = "NONE";
    public string MRAcquisitionType { get; init; } = "2D";
    public double? RepetitionTime { get; init; }
    public double? EchoTime { get; init; }
    public double? MagneticFieldStrength { get; init; }
    public string? BodyPartExamined { get; init; } = "BRAIN";
    public TransferSyntax TransferSyntax { get; init; } = TransferSyntax.ExplicitVRLittleEndian;

    /// <summary>File name of slice k (0-based) in the output folder.</summary>
    public Func<int, string> FileName { get; init; } = k => $"IM{k + 1:D4}.dcm";
}
