namespace Zsad.Imaging.Series;

/// <summary>Why a set of DICOM images does not make one volume.</summary>
public enum SeriesProblem
{
    NoImages,
    UnreadableFile,
    MalformedAttribute,
    MixedSeries,
    MissingPixelData,
    UnsupportedPixelData,
    MissingPosition,
    MissingOrientation,
    MissingPixelSpacing,
    InvalidOrientation,
    MixedOrientations,
    MixedSizes,
    MixedPixelSpacing,
    DuplicatePosition,
    PositionsNotAlongNormal,
    MissingSlices,
    NonUniformSpacing,
}
