using Zsad.Dicom;
using Zsad.Dicom.Segmentation;
using Zsad.Imaging.Series;

namespace Zsad.Reporter.Segmentation;

/// <summary>A source series as both a volume (to check a map's grid against) and its DICOM instances (to copy
/// patient and study from and to reference, slice by slice, from the SEG).</summary>
public sealed class SourceSeries
{
    private const string MediaStorageDirectory = "1.2.840.10008.1.3.10";

    private SourceSeries(SeriesVolume volume, IReadOnlyDictionary<string, DicomDataset> instances)
    {
        Volume = volume;
        Instances = instances;
    }

    public SeriesVolume Volume { get; }

    /// <summary>Source instances by SOPInstanceUID.</summary>
    public IReadOnlyDictionary<string, DicomDataset> Instances { get; }

    /// <summary>Reads the images under a folder (recursively). Segmentations and other non-image objects there are
    /// passed over, so a SEG written next to its source does not turn the folder into two series.</summary>
    public static SourceSeries Read(string directory, string? seriesInstanceUid = null)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"source series folder {directory} does not exist");
        var files = new List<DicomFile>();
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!DicomFile.LooksLikeDicom(path))
                continue;
            var file = DicomFile.Open(path);
            if (file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID) == MediaStorageDirectory
                || !file.Dataset.Contains(DicomTags.PixelData)
                || file.Dataset.GetString(DicomTags.SOPClassUID) == DicomUid.SegmentationStorage)
                continue;
            if (seriesInstanceUid is not null && file.Dataset.GetString(DicomTags.SeriesInstanceUID) != seriesInstanceUid)
                continue;
            files.Add(file);
        }
        return FromFiles(files);
    }

    public static SourceSeries FromFiles(IReadOnlyList<DicomFile> files)
    {
        var volume = DicomSeriesReader.Read(files);
        var instances = new Dictionary<string, DicomDataset>(StringComparer.Ordinal);
        foreach (var f in files)
            instances[f.Dataset.GetRequiredString(DicomTags.SOPInstanceUID)] = f.Dataset;
        return new SourceSeries(volume, instances);
    }

    /// <summary>The segmentation source and, for each volume slice k, the index of its source frame there.</summary>
    public (SegmentationSource Source, int[] FrameOfSlice) ToSegmentationSource()
    {
        var slices = Volume.Slices;
        var frameOfSlice = new int[slices.Count];
        if (!Volume.IsEnhanced)
        {
            // One image per slice, given in slice order: source frame k is slice k.
            var images = slices.Select(s => Instances[s.SopInstanceUid]).ToArray();
            for (var k = 0; k < frameOfSlice.Length; k++)
                frameOfSlice[k] = k;
            return (SegmentationSource.FromSingleFrameImages(images), frameOfSlice);
        }
        var sops = slices.Select(s => s.SopInstanceUid).Distinct().ToArray();
        if (sops.Length != 1)
            throw new NotSupportedException($"the series holds {sops.Length} multi-frame instances: a SEG is made from one multi-frame source or from single-frame images");
        var source = SegmentationSource.FromMultiFrameImage(Instances[sops[0]]);
        for (var k = 0; k < frameOfSlice.Length; k++)
            frameOfSlice[k] = (slices[k].FrameNumber ?? throw new InvalidOperationException($"slice {k} of a multi-frame source has no frame number")) - 1;
        return (source, frameOfSlice);
    }
}
