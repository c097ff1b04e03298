using Zsad.Dicom.Segmentation;
using Zsad.Imaging;

namespace Zsad.Reporter.Segmentation;

/// <summary>Turns an anomaly map on a source series' grid into SEG objects: threshold, optional removal of small 3D
/// components, then one frame per source slice, placed through the series' slice list (never by file order or
/// instance number), so each SEG frame lands on the image it was computed from.</summary>
public static class MapSegmenter
{
    public const string SegmentLabel = "Anomaly";

    public static MapSegmentationResult Create(SourceSeries series, Volume<float> map, MapSegmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(options);
        var grid = series.Volume.Volume;
        if (GridComparison.Describe(map, grid) is { } problem)
            throw new ArgumentException(problem, nameof(map));

        var threshold = options.Threshold.Value;
        var scores = map.Data;
        var mask = new byte[scores.Length];
        var maximum = 0f;
        for (var v = 0; v < scores.Length; v++)
        {
            var s = scores[v];
            // NaN compares false: an undefined score is never segmented.
            if (s >= threshold)
                mask[v] = 1;
            if (s > maximum)
                maximum = s;
        }
        var minimumVoxels = options.MinimumSize.VoxelsFor(grid.VoxelVolumeMm3);
        var (kept, removed) = ComponentFilter.RemoveSmall(mask, grid.SizeX, grid.SizeY, grid.SizeZ, minimumVoxels, options.Connectivity);
        long segmented = 0;
        foreach (var b in mask)
            segmented += b;

        var (source, frameOfSlice) = series.ToSegmentationSource();
        var n = grid.SizeX * grid.SizeY;
        if (n != source.PixelsPerFrame)
            throw new InvalidOperationException($"slices of {grid.SizeX}x{grid.SizeY} voxels but source frames of {source.Columns}x{source.Rows} pixels");
        var masks = new ReadOnlyMemory<byte>[source.Frames.Count];
        var probabilities = new ReadOnlyMemory<float>[source.Frames.Count];
        for (var f = 0; f < masks.Length; f++)
        {
            masks[f] = new byte[n];
            probabilities[f] = new float[n];
        }
        // Volume slice k is row-major with i (columns) fastest: exactly a source frame's pixel order.
        for (var k = 0; k < frameOfSlice.Length; k++)
        {
            masks[frameOfSlice[k]] = mask.AsMemory(k * n, n);
            probabilities[frameOfSlice[k]] = scores.AsMemory(k * n, n);
        }

        var description = new SegmentDescription
        {
            Label = SegmentLabel,
            AlgorithmName = options.DetectorName,
            AlgorithmVersion = options.DetectorVersion,
            AlgorithmParameters = options.Settings,
            Type = CodedConcept.Lesion,
            Description = $"Voxels scoring >= {options.Threshold} by {options.DetectorName}",
        };
        var segOptions = new SegmentationOptions
        {
            DetectorName = options.DetectorName,
            Settings = options.Settings,
            SeriesDescription = Truncate($"Zsad anomaly {options.DetectorName}", 64),
            ContentLabel = "ANOMALY",
            ContentDescription = "Automatic anomaly segmentation",
            ContentDateTime = options.ContentDateTime,
            InstanceNumber = 1,
        };
        var binary = SegmentationWriter.Create(source, [Segment.Binary(description, masks)], segOptions);
        var fractional = options.Fractional
            ? SegmentationWriter.Create(source,
                [Segment.Fractional(description with { Description = $"Anomaly score of {options.DetectorName} (0..1)" }, probabilities)],
                segOptions with { InstanceNumber = 2, ContentLabel = "ANOMALY_SCORE", ContentDescription = "Automatic anomaly score" })
            : null;
        return new MapSegmentationResult(binary, fractional, mask, segmented, grid.VoxelVolumeMm3, kept, removed, maximum);
    }

    private static string Truncate(string s, int length) => s.Length <= length ? s : s[..length];
}
