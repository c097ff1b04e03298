using Zsad.Dicom;
using Zsad.Dicom.Segmentation;
using Zsad.Imaging.Series;
using Zsad.Imaging.Synthetic;

namespace Zsad.Viewer.Tests.Support;

/// <summary>A synthetic brain MR series written by Zsad, its lesion mask per slice, and the SEG objects Zsad makes
/// from that mask: what a radiologist would open in OHIF.</summary>
public sealed class SegStudy
{
    public const string SegmentLabel = "Anomaly";

    public static readonly SegmentDescription Segment = new() { Label = SegmentLabel, AlgorithmName = "ZsadViewerCheck" };

    public required string StudyInstanceUid { get; init; }
    public required IReadOnlyList<string> SourcePaths { get; init; }
    public required IReadOnlyList<DicomDataset> SourceImages { get; init; }
    public required IReadOnlyList<bool[]> Masks { get; init; }
    public required int Rows { get; init; }
    public required int Columns { get; init; }

    public static SegStudy Create(string directory, string id, int seed)
    {
        var study = SyntheticBrainStudy.Create(id, seed, size: 64, slices: 16, lesionCount: 2);
        var paths = DicomSeriesWriter.Write(study.Image, Path.Combine(directory, "mr"), new MrSeriesOptions
        {
            PatientName = "Viewer^Synthetic",
            PatientId = id,
            UidSeed = id,
            StudyDescription = "Zsad viewer check",
            SeriesDescription = "synthetic t2w axial",
        });
        var images = paths.Select(p => DicomFile.Open(p).Dataset).ToList();
        var rows = images[0].GetRequiredInt(DicomTags.Rows);
        var columns = images[0].GetRequiredInt(DicomTags.Columns);
        // The series writer stores slice k of the volume as instance k, x along rows: voxel (i, j, k) is pixel j*Columns+i.
        Assert.Equal(study.LesionMask.SizeX, columns);
        Assert.Equal(study.LesionMask.SizeY, rows);
        var sliceLength = rows * columns;
        var masks = Enumerable.Range(0, study.LesionMask.SizeZ)
            .Select(k => study.LesionMask.Data.AsSpan(k * sliceLength, sliceLength).ToArray().Select(v => v != 0).ToArray())
            .ToList();
        Assert.True(masks.Sum(m => m.Count(v => v)) > 0, "the synthetic study has no lesion voxel");
        return new SegStudy
        {
            StudyInstanceUid = images[0].GetRequiredString(DicomTags.StudyInstanceUID),
            SourcePaths = paths,
            SourceImages = images,
            Masks = masks,
            Rows = rows,
            Columns = columns,
        };
    }

    public string WriteBinary(string path)
        => Save(SegmentationWriter.CreateBinary(SourceImages, Masks, Segment, Options("binary")), path);

    /// <summary>A FRACTIONAL (PROBABILITY) SEG whose probability is <paramref name="inside"/> on the lesion and 0 elsewhere.</summary>
    public string WriteFractional(string path, float inside)
        => Save(SegmentationWriter.CreateFractional(SourceImages, Masks.Select(m => m.Select(v => v ? inside : 0f).ToArray()).ToList(),
            Segment, Options($"fractional-{inside}")), path);

    private static SegmentationOptions Options(string settings) => new()
    {
        DetectorName = "ZsadViewerCheck",
        Settings = settings,
        SeriesDescription = $"Zsad anomaly SEG ({settings})",
    };

    private static string Save(DicomDataset seg, string path)
    {
        new DicomFile(seg, TransferSyntax.ExplicitVRLittleEndian).Save(path);
        return path;
    }
}
