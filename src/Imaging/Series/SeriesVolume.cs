namespace Zsad.Imaging.Series;

/// <summary>A volume assembled from DICOM images, with the source of each slice (in volume k order), which a
/// Segmentation needs in order to reference its source images.</summary>
public sealed class SeriesVolume(Volume<float> volume, IReadOnlyList<SeriesSlice> slices, string? studyInstanceUid, string? seriesInstanceUid,
    string? frameOfReferenceUid, bool isEnhanced)
{
    /// <summary>Real-world values (rescale applied) on the LPS grid: i along the image rows, j down the columns,
    /// k along the slice normal in increasing position.</summary>
    public Volume<float> Volume { get; } = volume;

    /// <summary>Source of slice k.</summary>
    public IReadOnlyList<SeriesSlice> Slices { get; } = slices;

    public string? StudyInstanceUid { get; } = studyInstanceUid;
    public string? SeriesInstanceUid { get; } = seriesInstanceUid;
    public string? FrameOfReferenceUid { get; } = frameOfReferenceUid;

    /// <summary>True when the slices are frames of Enhanced (multi-frame) objects.</summary>
    public bool IsEnhanced { get; } = isEnhanced;
}
