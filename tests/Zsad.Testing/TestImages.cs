using Zsad.Dicom;

namespace Zsad.Testing;

/// <summary>Builds complete, valid MR Image Storage instances (every Type 1 and Type 2 attribute of the IOD's
/// mandatory modules) with a deterministic test pattern.</summary>
public static class TestImages
{
    public static DicomDataset MrImage(int rows = 64, int columns = 48, int seed = 1, string? seriesUid = null, int instance = 1,
        DicomCharacterSet? charset = null, string patientName = "Test^Patient")
    {
        var ds = new DicomDataset();
        if (charset is not null && charset != DicomCharacterSet.Default)
            ds.SetString(DicomTags.SpecificCharacterSet, charset.Term);
        ds.SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "OTHER");
        ds.SetString(DicomTags.SOPClassUID, DicomUid.MRImageStorage);
        ds.SetString(DicomTags.SOPInstanceUID, DicomUid.Generate());
        ds.SetString(DicomTags.StudyDate, "20261128");
        ds.SetString(DicomTags.SeriesDate, "20261128");
        ds.SetString(DicomTags.ContentDate, "20261128");
        ds.SetString(DicomTags.StudyTime, "101500");
        ds.SetString(DicomTags.ContentTime, "101501.250");
        ds.SetString(DicomTags.AccessionNumber, "ACC0001");
        ds.SetString(DicomTags.Modality, "MR");
        ds.SetString(DicomTags.Manufacturer, "Zsad Test");
        ds.SetString(DicomTags.ReferringPhysicianName, "");
        ds.SetString(DicomTags.SeriesDescription, "t2w axial");
        ds.SetString(DicomTags.PatientName, patientName);
        ds.SetString(DicomTags.PatientID, "ZSAD-0001");
        ds.SetString(DicomTags.PatientBirthDate, "19700101");
        ds.SetString(DicomTags.PatientSex, "O");
        ds.SetString(DicomTags.PatientPosition, "HFS");
        ds.SetString(DicomTags.ScanningSequence, "SE");
        ds.SetString(DicomTags.SequenceVariant, "NONE");
        ds.SetString(DicomTags.ScanOptions, "");
        ds.SetString(DicomTags.MRAcquisitionType, "2D");
        ds.SetNumbers(DicomTags.SliceThickness, 1.5);
        ds.SetNumbers(DicomTags.RepetitionTime, 4000);
        ds.SetNumbers(DicomTags.EchoTime, 90.5);
        ds.SetNumbers(DicomTags.EchoTrainLength, 16);
        ds.SetNumbers(DicomTags.MagneticFieldStrength, 3);
        ds.SetString(DicomTags.StudyInstanceUID, "1.2.826.0.1.3680043.8.498.1");
        ds.SetString(DicomTags.SeriesInstanceUID, seriesUid ?? DicomUid.Generate());
        ds.SetString(DicomTags.StudyID, "1");
        ds.SetNumbers(DicomTags.SeriesNumber, 3);
        ds.SetNumbers(DicomTags.InstanceNumber, instance);
        ds.SetNumbers(DicomTags.ImagePositionPatient, -120, -110.5, 1.5 * instance);
        ds.SetNumbers(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0);
        ds.SetString(DicomTags.FrameOfReferenceUID, "1.2.826.0.1.3680043.8.498.2");
        ds.SetString(DicomTags.PositionReferenceIndicator, "");
        ds.SetString(DicomTags.Laterality, "");
        ds.SetValues<ushort>(DicomTags.SamplesPerPixel, 1);
        ds.SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.SetValues<ushort>(DicomTags.Rows, (ushort)rows);
        ds.SetValues<ushort>(DicomTags.Columns, (ushort)columns);
        ds.SetNumbers(DicomTags.PixelSpacing, 0.9375, 0.9375);
        ds.SetValues<ushort>(DicomTags.BitsAllocated, 16);
        ds.SetValues<ushort>(DicomTags.BitsStored, 12);
        ds.SetValues<ushort>(DicomTags.HighBit, 11);
        ds.SetValues<ushort>(DicomTags.PixelRepresentation, 0);
        ds.SetValues<ushort>(DicomTags.SmallestImagePixelValue, 0);
        ds.SetValues<ushort>(DicomTags.LargestImagePixelValue, 4095);
        ds.SetNumbers(DicomTags.WindowCenter, 2048);
        ds.SetNumbers(DicomTags.WindowWidth, 4096);
        ds.SetValues(DicomTags.PixelData, DicomVR.OW, Pattern(rows, columns, seed));
        return ds;
    }

    /// <summary>12-bit values with flat runs (exercising RLE replicate runs) and noise (literal runs).</summary>
    public static ushort[] Pattern(int rows, int columns, int seed)
    {
        var rng = new Random(seed);
        var pixels = new ushort[rows * columns];
        for (var y = 0; y < rows; y++)
            for (var x = 0; x < columns; x++)
            {
                var inside = (x - columns / 2) * (x - columns / 2) + (y - rows / 2) * (y - rows / 2) < rows * columns / 5;
                pixels[y * columns + x] = inside ? (ushort)(1000 + rng.Next(0, 3000)) : (ushort)0;
            }
        return pixels;
    }

    public static DicomFile MrFile(int rows = 64, int columns = 48, int seed = 1, TransferSyntax? syntax = null)
        => new(MrImage(rows, columns, seed), syntax ?? TransferSyntax.ExplicitVRLittleEndian);
}
