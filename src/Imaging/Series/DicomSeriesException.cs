namespace Zsad.Imaging.Series;

/// <summary>Raised when DICOM images cannot be assembled into one volume; <see cref="Problem"/> says why and the
/// message names the instances or frames involved.</summary>
public sealed class DicomSeriesException(SeriesProblem problem, string message, Exception? inner = null) : Exception(message, inner)
{
    public SeriesProblem Problem { get; } = problem;
}
