namespace Zsad.Dicom.Segmentation;

/// <summary>The source images a segmentation is derived from: their frames with geometry, and the dataset the
/// patient, study and frame-of-reference attributes are copied from.</summary>
public sealed class SegmentationSource
{
    // Orientation cosines and spacings written by scanners differ in the last digits between slices of one series.
    private const double Tolerance = 1e-4;

    private SegmentationSource(DicomDataset header, IReadOnlyList<SourceFrame> frames, int rows, int columns)
    {
        Header = header;
        Frames = frames;
        Rows = rows;
        Columns = columns;
        var normal = SliceNormal(frames[0].ImageOrientationPatient);
        Positions = frames.Select(f => Dot(f.ImagePositionPatient, normal)).ToArray();
    }

    /// <summary>The dataset patient, study and frame-of-reference attributes come from (the first source image).</summary>
    public DicomDataset Header { get; }

    public IReadOnlyList<SourceFrame> Frames { get; }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Each frame's distance along the slice normal (row x column direction), in mm.</summary>
    public IReadOnlyList<double> Positions { get; }

    public int PixelsPerFrame => Rows * Columns;

    /// <summary>Classic single-frame images (MR Image Storage and the like), one per slice, in any order.</summary>
    public static SegmentationSource FromSingleFrameImages(IReadOnlyList<DicomDataset> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
            throw new ArgumentException("a segmentation needs at least one source image", nameof(images));
        var frames = new SourceFrame[images.Count];
        var (rows, columns) = Size(images[0]);
        var study = images[0].GetString(DicomTags.StudyInstanceUID);
        var frameOfReference = images[0].GetString(DicomTags.FrameOfReferenceUID);
        for (var i = 0; i < images.Count; i++)
        {
            var ds = images[i];
            if (Size(ds) != (rows, columns))
                throw new ArgumentException($"source image {i} is {Size(ds)} pixels, the first is {(rows, columns)}: a segmentation frame matches its source in Rows and Columns");
            if (ds.GetString(DicomTags.StudyInstanceUID) != study)
                throw new ArgumentException($"source image {i} belongs to another study than the first");
            if (ds.GetString(DicomTags.FrameOfReferenceUID) != frameOfReference)
                throw new ArgumentException($"source image {i} has another FrameOfReferenceUID than the first");
            frames[i] = new SourceFrame(
                Required(ds, DicomTags.SOPClassUID, i),
                Required(ds, DicomTags.SOPInstanceUID, i),
                Required(ds, DicomTags.SeriesInstanceUID, i),
                null,
                Numbers(ds, DicomTags.ImagePositionPatient, 3, i),
                Numbers(ds, DicomTags.ImageOrientationPatient, 6, i),
                Numbers(ds, DicomTags.PixelSpacing, 2, i),
                ds.GetDouble(DicomTags.SliceThickness));
        }
        CheckCommonGeometry(frames);
        return new SegmentationSource(images[0], frames, rows, columns);
    }

    /// <summary>One multi-frame image (Enhanced MR and the like) whose geometry lives in functional groups.</summary>
    public static SegmentationSource FromMultiFrameImage(DicomDataset image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (rows, columns) = Size(image);
        var count = image.GetInt(DicomTags.NumberOfFrames) ?? throw new ArgumentException("the multi-frame source has no NumberOfFrames");
        var shared = image.GetItems(DicomTags.SharedFunctionalGroupsSequence).FirstOrDefault();
        var perFrame = image.GetItems(DicomTags.PerFrameFunctionalGroupsSequence);
        if (perFrame.Count != count)
            throw new ArgumentException($"the multi-frame source has {perFrame.Count} per-frame functional group items for {count} frames");
        var sopClass = Required(image, DicomTags.SOPClassUID, 0);
        var sopInstance = Required(image, DicomTags.SOPInstanceUID, 0);
        var series = Required(image, DicomTags.SeriesInstanceUID, 0);
        var frames = new SourceFrame[count];
        for (var i = 0; i < count; i++)
        {
            double[] Group(DicomTag sequence, DicomTag attribute, int n)
            {
                var item = perFrame[i].GetItems(sequence).FirstOrDefault() ?? shared?.GetItems(sequence).FirstOrDefault()
                    ?? throw new ArgumentException($"frame {i + 1} of the multi-frame source has no {DicomDictionary.KeywordOf(sequence)}");
                return Numbers(item, attribute, n, i);
            }
            var measures = perFrame[i].GetItems(DicomTags.PixelMeasuresSequence).FirstOrDefault() ?? shared?.GetItems(DicomTags.PixelMeasuresSequence).FirstOrDefault();
            frames[i] = new SourceFrame(sopClass, sopInstance, series, i + 1,
                Group(DicomTags.PlanePositionSequence, DicomTags.ImagePositionPatient, 3),
                Group(DicomTags.PlaneOrientationSequence, DicomTags.ImageOrientationPatient, 6),
                Group(DicomTags.PixelMeasuresSequence, DicomTags.PixelSpacing, 2),
                measures?.GetDouble(DicomTags.SliceThickness));
        }
        CheckCommonGeometry(frames);
        return new SegmentationSource(image, frames, rows, columns);
    }

    /// <summary>The spacing between adjacent slice planes: the median gap between distinct positions along the
    /// normal (robust to one missing slice), else the slice thickness; null when neither is known.</summary>
    public double? SpacingBetweenSlices()
    {
        var sorted = Positions.Distinct().Order().ToArray();
        if (sorted.Length < 2)
            return Frames[0].SliceThickness;
        var gaps = new double[sorted.Length - 1];
        for (var i = 1; i < sorted.Length; i++)
            gaps[i - 1] = sorted[i] - sorted[i - 1];
        Array.Sort(gaps);
        return gaps[gaps.Length / 2];
    }

    private static void CheckCommonGeometry(IReadOnlyList<SourceFrame> frames)
    {
        var first = frames[0];
        for (var i = 1; i < frames.Count; i++)
        {
            if (!Close(frames[i].ImageOrientationPatient, first.ImageOrientationPatient))
                throw new ArgumentException($"source frame {i} has another ImageOrientationPatient than the first: one PlaneOrientation is shared by all segmentation frames");
            if (!Close(frames[i].PixelSpacing, first.PixelSpacing))
                throw new ArgumentException($"source frame {i} has another PixelSpacing than the first: one PixelMeasures is shared by all segmentation frames");
        }
    }

    private static bool Close(double[] a, double[] b)
    {
        for (var i = 0; i < a.Length; i++)
            if (Math.Abs(a[i] - b[i]) > Tolerance)
                return false;
        return true;
    }

    internal static double[] SliceNormal(double[] orientation)
    {
        double rx = orientation[0], ry = orientation[1], rz = orientation[2];
        double cx = orientation[3], cy = orientation[4], cz = orientation[5];
        return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
    }

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    private static (int Rows, int Columns) Size(DicomDataset ds)
        => (ds.GetInt(DicomTags.Rows) ?? throw new ArgumentException("a source image has no Rows"),
            ds.GetInt(DicomTags.Columns) ?? throw new ArgumentException("a source image has no Columns"));

    private static string Required(DicomDataset ds, DicomTag tag, int index)
    {
        var v = ds.GetString(tag);
        return string.IsNullOrEmpty(v) ? throw new ArgumentException($"source image {index} has no {DicomDictionary.KeywordOf(tag)}") : v;
    }

    private static double[] Numbers(DicomDataset ds, DicomTag tag, int count, int index)
    {
        var v = ds.GetDoubles(tag);
        return v.Length == count ? v : throw new ArgumentException($"source frame {index} has {v.Length} values of {DicomDictionary.KeywordOf(tag)}, not {count}");
    }
}
