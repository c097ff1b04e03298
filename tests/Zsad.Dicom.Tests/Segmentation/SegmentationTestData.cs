using Zsad.Dicom.Segmentation;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Segmentation;

/// <summary>A small MR series with a spherical "lesion" mask, handed to the writer in shuffled order so that
/// frame sorting and reference lookup are exercised.</summary>
public sealed class SegmentationTestData
{
    public const string SeriesUid = "1.2.826.0.1.3680043.8.498.10";

    public SegmentationTestData(int slices = 8, int rows = 20, int columns = 13, bool empty = false)
    {
        Rows = rows;
        Columns = columns;
        var order = Enumerable.Range(0, slices).OrderBy(i => (i * 5) % slices).ToArray(); // a fixed shuffle
        Images = order.Select(i => TestImages.MrImage(rows, columns, seed: i + 1, seriesUid: SeriesUid, instance: i + 1)).ToArray();
        Masks = new bool[slices][];
        Probabilities = new float[slices][];
        for (var k = 0; k < slices; k++)
        {
            var z = order[k];
            Masks[k] = new bool[rows * columns];
            Probabilities[k] = new float[rows * columns];
            for (var y = 0; y < rows; y++)
                for (var x = 0; x < columns; x++)
                {
                    var d2 = (x - 6.0) * (x - 6.0) + (y - 9.0) * (y - 9.0) + 4.0 * (z - slices / 2.0) * (z - slices / 2.0);
                    Masks[k][y * columns + x] = !empty && d2 < 20;
                    Probabilities[k][y * columns + x] = empty ? 0f : (float)Math.Exp(-d2 / 30.0);
                }
        }
    }

    public int Rows { get; }
    public int Columns { get; }
    public DicomDataset[] Images { get; }
    public bool[][] Masks { get; }
    public float[][] Probabilities { get; }

    public static SegmentDescription Description { get; } = new()
    {
        Label = "Anomaly",
        AlgorithmName = "AnomalyCLIP",
        AlgorithmVersion = "1.0",
        AlgorithmParameters = "threshold=0.5",
    };

    public static SegmentationOptions Options { get; } = new()
    {
        DetectorName = "anomalyclip",
        Settings = "threshold=0.5",
        SeriesDescription = "AnomalyCLIP anomalies",
        ContentDateTime = new DateTimeOffset(2026, 11, 28, 10, 30, 0, TimeSpan.Zero),
    };

    public DicomDataset Binary(SegmentationOptions? options = null)
        => SegmentationWriter.CreateBinary(Images, Masks, Description, options ?? Options);

    public DicomDataset Fractional(SegmentationOptions? options = null)
        => SegmentationWriter.CreateFractional(Images, Probabilities, Description, options ?? Options);

    public static string Save(DicomDataset seg, TempDir dir, string name)
    {
        var path = dir.File(name);
        new DicomFile(seg, TransferSyntax.ExplicitVRLittleEndian).Save(path);
        return path;
    }
}
