using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Zsad.Dicom;
using Zsad.Dicom.Codecs;

namespace Zsad.Imaging.Series;

/// <summary>Assembles one DICOM series into a volume: classic single-frame images (one instance per slice) and
/// Enhanced multi-frame objects (geometry from the shared and per-frame functional groups). Slices are ordered by
/// ImagePositionPatient projected on the normal of ImageOrientationPatient, whatever the instance numbers or file
/// order say, and the slice spacing comes from those positions, never from SliceThickness.</summary>
public static class DicomSeriesReader
{
    private const string MediaStorageDirectory = "1.2.840.10008.1.3.10";

    /// <summary>Reads every DICOM file under a folder (recursively). Files that are not DICOM, DICOMDIRs and objects
    /// without pixel data are passed over; images of more than one series are refused unless
    /// <paramref name="seriesInstanceUid"/> picks one.</summary>
    public static SeriesVolume ReadDirectory(string directory, string? seriesInstanceUid = null, DicomSeriesReadOptions? options = null)
    {
        var inputs = new List<SeriesInput>();
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            DicomFile file;
            try
            {
                if (!DicomFile.LooksLikeDicom(path))
                    continue;
                file = DicomFile.Open(path);
            }
            catch (Exception ex) when (ex is DicomFormatException or IOException or NotSupportedException)
            {
                throw new DicomSeriesException(SeriesProblem.UnreadableFile, $"{path}: {ex.Message}", ex);
            }
            if (file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID) == MediaStorageDirectory
                || !file.Dataset.Contains(DicomTags.PixelData))
                continue;
            if (seriesInstanceUid is not null && file.Dataset.GetString(DicomTags.SeriesInstanceUID) != seriesInstanceUid)
                continue;
            inputs.Add(new SeriesInput(file.Dataset, file.TransferSyntax, Path.GetRelativePath(directory, path)));
        }
        if (inputs.Count == 0)
            throw new DicomSeriesException(SeriesProblem.NoImages, seriesInstanceUid is null
                ? $"no DICOM images under {directory}"
                : $"no DICOM images of series {seriesInstanceUid} under {directory}");
        return Read(inputs, options);
    }

    public static SeriesVolume Read(IEnumerable<DicomFile> files, DicomSeriesReadOptions? options = null)
        => Read(files.Select(f => new SeriesInput(f.Dataset, f.TransferSyntax, null)), options);

    public static SeriesVolume Read(IEnumerable<SeriesInput> inputs, DicomSeriesReadOptions? options = null)
    {
        options ??= DicomSeriesReadOptions.Default;
        var list = inputs.ToList();
        if (list.Count == 0)
            throw new DicomSeriesException(SeriesProblem.NoImages, "no DICOM images were given");
        CheckOneSeries(list);

        var frames = new List<Frame>();
        var isEnhanced = false;
        foreach (var input in list)
        {
            if (!input.Dataset.Contains(DicomTags.PixelData))
                throw new DicomSeriesException(SeriesProblem.MissingPixelData, $"{Label(input)} has no Pixel Data (7FE0,0010)");
            try
            {
                if (IsEnhanced(input.Dataset))
                {
                    isEnhanced = true;
                    frames.AddRange(EnhancedFrames(input).ToList());
                }
                else
                {
                    frames.Add(ClassicFrame(input));
                }
            }
            catch (Exception ex) when (ex is DicomFormatException or FormatException or OverflowException or InvalidOperationException)
            {
                // A malformed DS/IS value (e.g. "1,5") surfaces here from the dataset's number parsing.
                throw new DicomSeriesException(SeriesProblem.MalformedAttribute, $"{Label(input)}: {ex.Message}", ex);
            }
        }
        return Assemble(frames, list[0].Dataset, isEnhanced, options);
    }

    private static bool IsEnhanced(DicomDataset ds)
        => ds.Contains(DicomTags.PerFrameFunctionalGroupsSequence) || ds.Contains(DicomTags.SharedFunctionalGroupsSequence);

    private static string Label(SeriesInput input)
    {
        var uid = input.Dataset.GetString(DicomTags.SOPInstanceUID) ?? "(no SOPInstanceUID)";
        var number = input.Dataset.GetString(DicomTags.InstanceNumber);
        var what = string.IsNullOrEmpty(number) ? $"instance {uid}" : $"instance {number} ({uid})";
        return input.Name is null ? what : $"{input.Name}: {what}";
    }

    private static void CheckOneSeries(List<SeriesInput> inputs)
    {
        var series = inputs.GroupBy(i => i.Dataset.GetString(DicomTags.SeriesInstanceUID) ?? "").ToList();
        if (series.Count > 1)
            throw new DicomSeriesException(SeriesProblem.MixedSeries,
                $"the images belong to {series.Count} series ({string.Join(", ", series.Select(g => $"{(g.Key.Length == 0 ? "no SeriesInstanceUID" : g.Key)}: {g.Count()} images"))}); give one series");
    }

    // ---- gathering geometry ---------------------------------------------------------------------------

    private sealed record Frame(SeriesInput Input, int FrameIndex, string Label, Vec3? Position, double[] Orientation, double[] PixelSpacing,
        int Rows, int Columns, double Slope, double Intercept, double? Thickness, double? SpacingBetweenSlices);

    private static Frame ClassicFrame(SeriesInput input)
    {
        var ds = input.Dataset;
        var label = Label(input);
        var frames = ds.GetInt(DicomTags.NumberOfFrames) ?? 1;
        if (frames > 1)
            throw new DicomSeriesException(SeriesProblem.UnsupportedPixelData, $"{label} has {frames} frames but no functional groups: Zsad reads multi-frame images only as Enhanced objects");
        var ipp = ds.GetDoubles(DicomTags.ImagePositionPatient);
        return new Frame(input, 0, label, ipp.Length == 3 ? new Vec3(ipp[0], ipp[1], ipp[2]) : null,
            ds.GetDoubles(DicomTags.ImageOrientationPatient), ds.GetDoubles(DicomTags.PixelSpacing),
            ds.GetInt(DicomTags.Rows) ?? 0, ds.GetInt(DicomTags.Columns) ?? 0,
            ds.GetDouble(DicomTags.RescaleSlope) ?? 1, ds.GetDouble(DicomTags.RescaleIntercept) ?? 0,
            ds.GetDouble(DicomTags.SliceThickness), ds.GetDouble(DicomTags.SpacingBetweenSlices));
    }

    /// <summary>Each frame's macros: the per-frame item wins over the shared one (PS3.3 C.7.6.16 lets a macro be in
    /// either place, never both).</summary>
    private static IEnumerable<Frame> EnhancedFrames(SeriesInput input)
    {
        var ds = input.Dataset;
        var uid = ds.GetString(DicomTags.SOPInstanceUID) ?? "(no SOPInstanceUID)";
        var name = input.Name is null ? "" : input.Name + ": ";
        var frameCount = ds.GetInt(DicomTags.NumberOfFrames) ?? 1;
        var shared = ds.GetItems(DicomTags.SharedFunctionalGroupsSequence) is [var s, ..] ? s : null;
        var perFrame = ds.GetItems(DicomTags.PerFrameFunctionalGroupsSequence);
        if (perFrame.Count != 0 && perFrame.Count != frameCount)
            throw new DicomSeriesException(SeriesProblem.UnsupportedPixelData,
                $"{name}instance {uid} has {frameCount} frames but {perFrame.Count} PerFrameFunctionalGroupsSequence items");
        int rows = ds.GetInt(DicomTags.Rows) ?? 0, columns = ds.GetInt(DicomTags.Columns) ?? 0;
        for (var f = 0; f < frameCount; f++)
        {
            var own = perFrame.Count > 0 ? perFrame[f] : null;
            DicomDataset? Macro(DicomTag sequence)
                => (own?.GetItems(sequence) is [var a, ..] ? a : null) ?? (shared?.GetItems(sequence) is [var b, ..] ? b : null);
            var position = Macro(DicomTags.PlanePositionSequence)?.GetDoubles(DicomTags.ImagePositionPatient) ?? [];
            var orientation = Macro(DicomTags.PlaneOrientationSequence)?.GetDoubles(DicomTags.ImageOrientationPatient) ?? [];
            var measures = Macro(DicomTags.PixelMeasuresSequence);
            var transform = Macro(DicomTags.PixelValueTransformationSequence);
            yield return new Frame(input, f, $"{name}frame {f + 1} of instance {uid}",
                position.Length == 3 ? new Vec3(position[0], position[1], position[2]) : null,
                orientation, measures?.GetDoubles(DicomTags.PixelSpacing) ?? [], rows, columns,
                transform?.GetDouble(DicomTags.RescaleSlope) ?? ds.GetDouble(DicomTags.RescaleSlope) ?? 1,
                transform?.GetDouble(DicomTags.RescaleIntercept) ?? ds.GetDouble(DicomTags.RescaleIntercept) ?? 0,
                measures?.GetDouble(DicomTags.SliceThickness), measures?.GetDouble(DicomTags.SpacingBetweenSlices) ?? ds.GetDouble(DicomTags.SpacingBetweenSlices));
        }
    }

    // ---- geometry ------------------------------------------------------------------------------------

    private static SeriesVolume Assemble(List<Frame> frames, DicomDataset first, bool isEnhanced, DicomSeriesReadOptions options)
    {
        var f0 = frames[0];
        foreach (var f in frames)
        {
            if (f.Position is null)
                throw new DicomSeriesException(SeriesProblem.MissingPosition, $"{f.Label} has no ImagePositionPatient (0020,0032) with 3 values");
            if (f.Orientation.Length != 6)
                throw new DicomSeriesException(SeriesProblem.MissingOrientation, $"{f.Label} has no ImageOrientationPatient (0020,0037) with 6 values");
            if (f.PixelSpacing.Length != 2 || !(f.PixelSpacing[0] > 0) || !(f.PixelSpacing[1] > 0))
                throw new DicomSeriesException(SeriesProblem.MissingPixelSpacing, $"{f.Label} has no PixelSpacing (0028,0030) with 2 positive values");
            if (f.Rows <= 0 || f.Columns <= 0)
                throw new DicomSeriesException(SeriesProblem.UnsupportedPixelData, $"{f.Label} has no positive Rows and Columns");
        }
        foreach (var f in frames)
        {
            if (f.Rows != f0.Rows || f.Columns != f0.Columns)
                throw new DicomSeriesException(SeriesProblem.MixedSizes,
                    $"mixed image sizes: {f0.Label} is {f0.Columns}x{f0.Rows} (columns x rows) but {f.Label} is {f.Columns}x{f.Rows}");
            for (var c = 0; c < 6; c++)
                if (Math.Abs(f.Orientation[c] - f0.Orientation[c]) > options.OrientationTolerance)
                    throw new DicomSeriesException(SeriesProblem.MixedOrientations,
                        $"mixed orientations: {f0.Label} has ImageOrientationPatient {Format(f0.Orientation)} but {f.Label} has {Format(f.Orientation)} (a localizer in the series?)");
            for (var c = 0; c < 2; c++)
                if (Math.Abs(f.PixelSpacing[c] - f0.PixelSpacing[c]) > 1e-4 * f0.PixelSpacing[c])
                    throw new DicomSeriesException(SeriesProblem.MixedPixelSpacing,
                        $"mixed pixel spacing: {f0.Label} has PixelSpacing {Format(f0.PixelSpacing)} but {f.Label} has {Format(f.PixelSpacing)}");
        }

        var rowDir = new Vec3(f0.Orientation[0], f0.Orientation[1], f0.Orientation[2]);
        var colDir = new Vec3(f0.Orientation[3], f0.Orientation[4], f0.Orientation[5]);
        if (Math.Abs(rowDir.Length - 1) > 1e-2 || Math.Abs(colDir.Length - 1) > 1e-2 || Math.Abs(rowDir.Normalized().Dot(colDir.Normalized())) > 1e-3)
            throw new DicomSeriesException(SeriesProblem.InvalidOrientation,
                $"{f0.Label}: ImageOrientationPatient {Format(f0.Orientation)} is not two perpendicular unit vectors");
        rowDir = rowDir.Normalized();
        colDir = (colDir - rowDir * rowDir.Dot(colDir)).Normalized();
        var normal = rowDir.Cross(colDir);

        var sorted = frames.Select(f => (Frame: f, Distance: f.Position!.Value.Dot(normal))).OrderBy(x => x.Distance).ToList();
        for (var s = 1; s < sorted.Count; s++)
            if (sorted[s].Distance - sorted[s - 1].Distance < options.DuplicateToleranceMm)
                throw new DicomSeriesException(SeriesProblem.DuplicatePosition,
                    $"duplicate slice position: {sorted[s - 1].Frame.Label} and {sorted[s].Frame.Label} are both at {sorted[s].Distance.ToString("0.###", CultureInfo.InvariantCulture)} mm along the normal (several echoes, phases or repeated acquisitions in one series?)");

        var origin = sorted[0].Frame.Position!.Value;
        var inPlaneTolerance = Math.Max(0.01, options.InPlaneToleranceRelative * Math.Min(f0.PixelSpacing[0], f0.PixelSpacing[1]));
        foreach (var (f, d) in sorted)
        {
            var offset = f.Position!.Value - origin - normal * (d - sorted[0].Distance);
            if (offset.Length > inPlaneTolerance)
                throw new DicomSeriesException(SeriesProblem.PositionsNotAlongNormal,
                    $"{f.Label} at {f.Position} is {offset.Length.ToString("0.###", CultureInfo.InvariantCulture)} mm off the line from {sorted[0].Frame.Label} along the slice normal (gantry tilt, or two stacks in one series)");
        }

        double spacing;
        if (sorted.Count == 1)
        {
            spacing = f0.SpacingBetweenSlices is > 0 ? f0.SpacingBetweenSlices.Value : f0.Thickness is > 0 ? f0.Thickness.Value : 1.0;
        }
        else
        {
            var gaps = new double[sorted.Count - 1];
            for (var s = 1; s < sorted.Count; s++)
                gaps[s - 1] = sorted[s].Distance - sorted[s - 1].Distance;
            var typical = Median(gaps);
            var tolerance = Math.Max(options.SpacingToleranceMm, options.SpacingToleranceRelative * typical);
            for (var s = 0; s < gaps.Length; s++)
            {
                if (Math.Abs(gaps[s] - typical) <= tolerance)
                    continue;
                var between = $"{sorted[s].Frame.Label} and {sorted[s + 1].Frame.Label}";
                var gapText = gaps[s].ToString("0.###", CultureInfo.InvariantCulture);
                var typicalText = typical.ToString("0.###", CultureInfo.InvariantCulture);
                if (gaps[s] > 1.5 * typical)
                    throw new DicomSeriesException(SeriesProblem.MissingSlices,
                        $"missing slices: a gap of {gapText} mm between {between}, where slices are {typicalText} mm apart (about {Math.Round(gaps[s] / typical) - 1} slices missing)");
                throw new DicomSeriesException(SeriesProblem.NonUniformSpacing,
                    $"non-uniform slice spacing: {gapText} mm between {between}, where slices are {typicalText} mm apart");
            }
            spacing = (sorted[^1].Distance - sorted[0].Distance) / (sorted.Count - 1);
        }

        var affine = Affine.FromColumns(rowDir * f0.PixelSpacing[1], colDir * f0.PixelSpacing[0], normal * spacing, origin);
        var volume = new Volume<float>(f0.Columns, f0.Rows, sorted.Count, affine);
        var pixelData = new Dictionary<DicomDataset, DicomPixelData>(ReferenceEqualityComparer.Instance);
        var slices = new SeriesSlice[sorted.Count];
        var sliceLength = f0.Rows * f0.Columns;
        for (var k = 0; k < sorted.Count; k++)
        {
            var f = sorted[k].Frame;
            if (!pixelData.TryGetValue(f.Input.Dataset, out var pixels))
            {
                pixels = OpenPixels(f);
                pixelData[f.Input.Dataset] = pixels;
            }
            DecodeFrame(f, pixels, volume.Data.AsSpan(k * sliceLength, sliceLength));
            var ds = f.Input.Dataset;
            slices[k] = new SeriesSlice(ds.GetString(DicomTags.SOPClassUID) ?? "", ds.GetString(DicomTags.SOPInstanceUID) ?? "",
                isEnhanced ? f.FrameIndex + 1 : null, f.Position!.Value);
        }
        return new SeriesVolume(volume, slices, first.GetString(DicomTags.StudyInstanceUID), first.GetString(DicomTags.SeriesInstanceUID),
            first.GetString(DicomTags.FrameOfReferenceUID), isEnhanced);
    }

    private static double Median(double[] values)
    {
        var copy = (double[])values.Clone();
        Array.Sort(copy);
        return copy.Length % 2 == 1 ? copy[copy.Length / 2] : 0.5 * (copy[copy.Length / 2 - 1] + copy[copy.Length / 2]);
    }

    private static string Format(double[] values) => string.Join('\\', values.Select(v => v.ToString("0.######", CultureInfo.InvariantCulture)));

    // ---- pixels --------------------------------------------------------------------------------------

    private static DicomPixelData OpenPixels(Frame f)
    {
        try
        {
            var pixels = new DicomPixelData(f.Input.Dataset, f.Input.Syntax);
            if (pixels.Format.SamplesPerPixel != 1)
                throw new DicomSeriesException(SeriesProblem.UnsupportedPixelData, $"{f.Label} has {pixels.Format.SamplesPerPixel} samples per pixel; a volume needs greyscale images");
            if (pixels.Format.BitsAllocated is not (8 or 16 or 32))
                throw new DicomSeriesException(SeriesProblem.UnsupportedPixelData, $"{f.Label} has BitsAllocated {pixels.Format.BitsAllocated}; Zsad reads 8, 16 and 32");
            return pixels;
        }
        catch (Exception ex) when (ex is DicomFormatException or NotSupportedException)
        {
            throw new DicomSeriesException(SeriesProblem.UnsupportedPixelData, $"{f.Label}: {ex.Message}", ex);
        }
    }

    private static void DecodeFrame(Frame f, DicomPixelData pixels, Span<float> destination)
    {
        ReadOnlyMemory<byte> frame;
        try
        {
            frame = pixels.GetFrame(f.FrameIndex);
        }
        catch (Exception ex) when (ex is DicomFormatException or NotSupportedException)
        {
            throw new DicomSeriesException(SeriesProblem.UnsupportedPixelData, $"{f.Label}: {ex.Message}", ex);
        }
        var ds = f.Input.Dataset;
        var bits = pixels.Format.BitsAllocated;
        var stored = ds.GetInt(DicomTags.BitsStored) ?? bits;
        var signed = ds.GetInt(DicomTags.PixelRepresentation) == 1;
        var bytes = frame.Span;
        switch (bits, signed)
        {
            case (8, false): TensorPrimitives.ConvertTruncating<byte, float>(bytes, destination); break;
            case (8, true): TensorPrimitives.ConvertTruncating<sbyte, float>(MemoryMarshal.Cast<byte, sbyte>(bytes), destination); break;
            case (16, false): TensorPrimitives.ConvertTruncating<ushort, float>(MemoryMarshal.Cast<byte, ushort>(bytes), destination); break;
            case (16, true): TensorPrimitives.ConvertTruncating<short, float>(MemoryMarshal.Cast<byte, short>(bytes), destination); break;
            case (32, false): TensorPrimitives.ConvertTruncating<uint, float>(MemoryMarshal.Cast<byte, uint>(bytes), destination); break;
            case (32, true): TensorPrimitives.ConvertTruncating<int, float>(MemoryMarshal.Cast<byte, int>(bytes), destination); break;
        }
        if (stored < bits && stored > 0)
            KeepStoredBits(bytes, bits, stored, signed, destination);
        if (f.Slope != 1 || f.Intercept != 0)
        {
            TensorPrimitives.Multiply(destination, (float)f.Slope, destination);
            TensorPrimitives.Add(destination, (float)f.Intercept, destination);
        }
    }

    /// <summary>Bits above BitsStored may hold overlays or junk (PS3.5 8.1.1): drop them, and sign-extend signed values
    /// from their high bit.</summary>
    private static void KeepStoredBits(ReadOnlySpan<byte> bytes, int bits, int stored, bool signed, Span<float> destination)
    {
        var shift = 64 - stored;
        for (var p = 0; p < destination.Length; p++)
        {
            long raw = bits switch
            {
                8 => bytes[p],
                16 => MemoryMarshal.Read<ushort>(bytes[(2 * p)..]),
                _ => MemoryMarshal.Read<uint>(bytes[(4 * p)..]),
            };
            destination[p] = signed ? (raw << shift) >> shift : (long)((ulong)(raw << shift) >> shift);
        }
    }
}
