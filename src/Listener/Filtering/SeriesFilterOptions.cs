using Zsad.Dicom;
using Zsad.Imaging;

namespace Zsad.Listener.Filtering;

/// <summary>Which closed series become volumes. Empty lists mean "any". The defaults take MR images of any plane:
/// the detectors were trained on brain MR, so CT, SEG or secondary captures sent to the same AE are kept, not run.</summary>
public sealed record SeriesFilterOptions
{
    public IReadOnlyCollection<string> Modalities { get; init; } = ["MR"];
    public IReadOnlyCollection<string> SopClasses { get; init; } = [DicomUid.MRImageStorage, DicomUid.EnhancedMRImageStorage];
    /// <summary>.NET regular expression the SeriesDescription must match (e.g. "(?i)t2"); null = any.</summary>
    public string? SeriesDescriptionPattern { get; init; }
    /// <summary>Series with an instance whose ImageType (0008,0008) holds one of these values are kept, not processed:
    /// a localizer (scout) is no brain volume. Add "DERIVED" to pass over reformats and parametric maps.</summary>
    public IReadOnlyCollection<string> ExcludedImageTypes { get; init; } = ["LOCALIZER"];
    /// <summary>Planes of acquisition accepted (from the slice normal); empty = any.</summary>
    public IReadOnlyCollection<AnatomicalPlane> Orientations { get; init; } = [];
}
