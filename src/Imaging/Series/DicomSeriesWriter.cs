using System.Numerics;
using Zsad.Dicom;

namespace Zsad.Imaging.Series;

/// <summary>Writes a volume as a classic MR Image Storage series, one instance per k-slice, with the geometry of
/// the volume's affine (ImagePositionPatient per slice, ImageOrientationPatient from the i and j axes). MR images
/// are 16-bit (PS3.3 C.8.3.1): integer volumes that fit int16 or uint16 are stored as they are; anything else is
/// mapped onto uint16 with RescaleSlope/RescaleIntercept, which MR viewers and dcm2niix apply.</summary>
public static class DicomSeriesWriter
{
    /// <summary>Writes the series into <paramref name="directory"/> (created when absent) and returns the file paths in k order.</summary>
    public static IReadOnlyList<string> Write(Volume volume, string directory, MrSeriesOptions? options = null)
    {
        options ??= new MrSeriesOptions();
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        var k = 0;
        foreach (var dataset in CreateDatasets(volume, options))
        {
            var path = Path.Combine(directory, options.FileName(k++));
            new DicomFile(dataset, options.TransferSyntax).Save(path);
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>The instances of the series, slice k first to last.</summary>
    public static IReadOnlyList<DicomDataset> CreateDatasets(Volume volume, MrSeriesOptions? options = null)
    {
        options ??= new MrSeriesOptions();
        var affine = volume.Affine;
        if (!affine.IsOrthogonal(1e-3))
            throw new ArgumentException("the volume's affine is sheared: DICOM slices cannot represent it; resample the volume first", nameof(volume));
        var (stored, slope, intercept, signed) = ToStoredValues(volume);
        var (minStored, maxStored) = MinMax(stored);

        string Uid(string? given, string role)
            => given ?? (options.UidSeed is { } seed ? DicomUid.FromName($"{seed}/{role}") : DicomUid.Generate());
        var studyUid = Uid(options.StudyInstanceUid, "study");
        var seriesUid = Uid(options.SeriesInstanceUid, "series");
        var frameOfReference = Uid(options.FrameOfReferenceUid, "frame-of-reference");

        var rowDir = affine.Direction(0);
        var colDir = affine.Direction(1);
        var normal = rowDir.Cross(colDir);
        var spacing = affine.Spacing;
        // Slice spacing along the image normal: the k axis may point against it (slices stored superior to inferior).
        var sliceSpacing = Math.Abs(affine.Column(2).Dot(normal));
        var sliceLength = volume.SizeX * volume.SizeY;
        var result = new List<DicomDataset>(volume.SizeZ);
        for (var k = 0; k < volume.SizeZ; k++)
        {
            var ds = new DicomDataset();
            ds.SetString(DicomTags.SpecificCharacterSet, "ISO_IR 192");
            ds.SetString(DicomTags.ImageType, options.ImageType);
            ds.SetString(DicomTags.SOPClassUID, DicomUid.MRImageStorage);
            ds.SetString(DicomTags.SOPInstanceUID, options.SeriesInstanceUid is null && options.UidSeed is null
                ? DicomUid.Generate() : DicomUid.FromName($"{seriesUid}/instance/{k}"));
            ds.SetDate(DicomTags.StudyDate, options.StudyDate);
            ds.SetDate(DicomTags.SeriesDate, options.StudyDate);
            ds.SetDate(DicomTags.ContentDate, options.StudyDate);
            ds.SetTime(DicomTags.StudyTime, options.StudyTime);
            ds.SetTime(DicomTags.SeriesTime, options.StudyTime);
            ds.SetTime(DicomTags.ContentTime, options.StudyTime);
            ds.SetString(DicomTags.AccessionNumber, options.AccessionNumber);
            ds.SetString(DicomTags.Modality, "MR");
            ds.SetString(DicomTags.Manufacturer, options.Manufacturer);
            ds.SetString(DicomTags.ReferringPhysicianName, "");
            if (options.StudyDescription.Length > 0)
                ds.SetString(DicomTags.StudyDescription, options.StudyDescription);
            ds.SetString(DicomTags.SeriesDescription, options.SeriesDescription);
            ds.SetString(DicomTags.PatientName, options.PatientName);
            ds.SetString(DicomTags.PatientID, options.PatientId);
            ds.SetString(DicomTags.PatientBirthDate, options.PatientBirthDate);
            ds.SetString(DicomTags.PatientSex, options.PatientSex);
            if (options.BodyPartExamined is { Length: > 0 } bodyPart)
                ds.SetString(DicomTags.BodyPartExamined, bodyPart);
            ds.SetString(DicomTags.ScanningSequence, options.ScanningSequence);
            ds.SetString(DicomTags.SequenceVariant, options.SequenceVariant);
            ds.SetString(DicomTags.ScanOptions, "");
            ds.SetString(DicomTags.MRAcquisitionType, options.MRAcquisitionType);
            ds.SetNumbers(DicomTags.SliceThickness, sliceSpacing);
            SetOptionalNumber(ds, DicomTags.RepetitionTime, options.RepetitionTime);
            SetOptionalNumber(ds, DicomTags.EchoTime, options.EchoTime);
            ds.SetString(DicomTags.EchoTrainLength, "");
            SetOptionalNumber(ds, DicomTags.MagneticFieldStrength, options.MagneticFieldStrength);
            ds.SetNumbers(DicomTags.SpacingBetweenSlices, sliceSpacing);
            ds.SetString(DicomTags.StudyInstanceUID, studyUid);
            ds.SetString(DicomTags.SeriesInstanceUID, seriesUid);
            ds.SetString(DicomTags.StudyID, options.StudyId);
            ds.SetNumbers(DicomTags.SeriesNumber, options.SeriesNumber);
            ds.SetNumbers(DicomTags.InstanceNumber, k + 1);
            var position = affine.Transform(0, 0, k);
            ds.SetNumbers(DicomTags.ImagePositionPatient, position.X, position.Y, position.Z);
            ds.SetNumbers(DicomTags.ImageOrientationPatient, rowDir.X, rowDir.Y, rowDir.Z, colDir.X, colDir.Y, colDir.Z);
            ds.SetString(DicomTags.FrameOfReferenceUID, frameOfReference);
            ds.SetString(DicomTags.PositionReferenceIndicator, "");
            ds.SetNumbers(DicomTags.SliceLocation, position.Dot(normal));
            ds.SetValues<ushort>(DicomTags.SamplesPerPixel, 1);
            ds.SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
            ds.SetValues(DicomTags.Rows, (ushort)volume.SizeY);
            ds.SetValues(DicomTags.Columns, (ushort)volume.SizeX);
            ds.SetNumbers(DicomTags.PixelSpacing, spacing.Y, spacing.X); // row spacing (between rows) first
            ds.SetValues<ushort>(DicomTags.BitsAllocated, 16);
            ds.SetValues<ushort>(DicomTags.BitsStored, 16);
            ds.SetValues<ushort>(DicomTags.HighBit, 15);
            ds.SetValues(DicomTags.PixelRepresentation, (ushort)(signed ? 1 : 0));
            if (slope != 1 || intercept != 0)
            {
                ds.SetNumbers(DicomTags.RescaleIntercept, intercept);
                ds.SetNumbers(DicomTags.RescaleSlope, slope);
                ds.SetString(DicomTags.RescaleType, "US");
            }
            var (windowMin, windowMax) = (minStored * slope + intercept, maxStored * slope + intercept);
            ds.SetNumbers(DicomTags.WindowCenter, 0.5 * (windowMin + windowMax));
            ds.SetNumbers(DicomTags.WindowWidth, Math.Max(1, windowMax - windowMin));
            var pixels = new byte[sliceLength * 2];
            for (var p = 0; p < sliceLength; p++)
            {
                var v = stored[k * sliceLength + p];
                pixels[2 * p] = (byte)v;
                pixels[2 * p + 1] = (byte)(v >> 8);
            }
            ds.SetBytes(DicomTags.PixelData, DicomVR.OW, pixels);
            result.Add(ds);
        }
        return result;
    }

    private static void SetOptionalNumber(DicomDataset ds, DicomTag tag, double? value)
    {
        if (value is { } v)
            ds.SetNumbers(tag, v);
        else
            ds.SetString(tag, ""); // Type 2: present, empty when unknown
    }

    /// <summary>The 16-bit values to store (as int, bit pattern taken modulo 2^16) and how to get the real values back.</summary>
    private static (int[] Stored, double Slope, double Intercept, bool Signed) ToStoredValues(Volume volume)
    {
        switch (volume)
        {
            case Volume<short> v: return (Array.ConvertAll(v.Data, x => (int)x), 1, 0, true);
            case Volume<ushort> v: return (Array.ConvertAll(v.Data, x => (int)x), 1, 0, false);
            case Volume<byte> v: return (Array.ConvertAll(v.Data, x => (int)x), 1, 0, false);
            case Volume<sbyte> v: return (Array.ConvertAll(v.Data, x => (int)x), 1, 0, true);
        }
        var values = volume.ToDouble().Data;
        var (min, max) = MinMax(values);
        if (!double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentException("the volume holds NaN or infinite values, which DICOM pixels cannot", nameof(volume));
        var integral = Array.TrueForAll(values, x => x == Math.Floor(x));
        if (integral && min >= 0 && max <= ushort.MaxValue)
            return (Array.ConvertAll(values, x => (int)x), 1, 0, false);
        if (integral && min >= short.MinValue && max <= short.MaxValue)
            return (Array.ConvertAll(values, x => (int)x), 1, 0, true);
        // Linear map of [min, max] onto [0, 65535]; DS keeps ~16 characters, so the slope is rounded to what it will be read back as.
        var slope = double.Parse(DicomDataset.FormatDecimalString(max > min ? (max - min) / ushort.MaxValue : 1), System.Globalization.CultureInfo.InvariantCulture);
        var intercept = double.Parse(DicomDataset.FormatDecimalString(min), System.Globalization.CultureInfo.InvariantCulture);
        var stored = Array.ConvertAll(values, x => (int)Math.Clamp(Math.Round((x - intercept) / slope), 0, ushort.MaxValue));
        return (stored, slope, intercept, false);
    }

    private static (T Min, T Max) MinMax<T>(T[] values) where T : INumber<T>
    {
        if (values.Length == 0)
            return (T.Zero, T.Zero);
        T min = values[0], max = values[0];
        foreach (var v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return (min, max);
    }
}
