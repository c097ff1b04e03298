using Zsad.Dicom;

namespace Zsad.Imaging.Series;

/// <summary>One DICOM object for series assembly; <see cref="Name"/> (a file name) makes error messages findable.</summary>
public sealed record SeriesInput(DicomDataset Dataset, TransferSyntax Syntax, string? Name = null);
