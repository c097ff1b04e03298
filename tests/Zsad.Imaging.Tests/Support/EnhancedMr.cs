using Zsad.Dicom;

namespace Zsad.Imaging.Tests.Support;

/// <summary>Builds an Enhanced MR Image Storage object (multi-frame, functional groups) from a volume, the way
/// scanners that emit Enhanced MR lay out geometry: orientation and pixel measures shared or per frame, one
/// PlanePositionSequence per frame; frames optionally stored in a scrambled order.</summary>
public static class EnhancedMr
{
    public static DicomDataset Create(Volume<ushort> volume, bool geometryPerFrame, int[]? frameToSlice = null, double slope = 1, double intercept = 0)
    {
        var affine = volume.Affine;
        var row = affine.Direction(0);
        var col = affine.Direction(1);
        var spacing = affine.Spacing;
        var n = volume.SizeZ;
        frameToSlice ??= Enumerable.Range(0, n).ToArray();
        var ds = new DicomDataset();
        ds.SetString(DicomTags.SOPClassUID, DicomUid.EnhancedMRImageStorage);
        ds.SetString(DicomTags.SOPInstanceUID, DicomUid.FromName("enhanced/" + geometryPerFrame));
        ds.SetString(DicomTags.StudyInstanceUID, DicomUid.FromName("enhanced/study"));
        ds.SetString(DicomTags.SeriesInstanceUID, DicomUid.FromName("enhanced/series"));
        ds.SetString(DicomTags.FrameOfReferenceUID, DicomUid.FromName("enhanced/for"));
        ds.SetString(DicomTags.Modality, "MR");
        ds.SetNumbers(DicomTags.NumberOfFrames, n);
        ds.SetValues<ushort>(DicomTags.SamplesPerPixel, 1);
        ds.SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.SetValues(DicomTags.Rows, (ushort)volume.SizeY);
        ds.SetValues(DicomTags.Columns, (ushort)volume.SizeX);
        ds.SetValues<ushort>(DicomTags.BitsAllocated, 16);
        ds.SetValues<ushort>(DicomTags.BitsStored, 16);
        ds.SetValues<ushort>(DicomTags.HighBit, 15);
        ds.SetValues<ushort>(DicomTags.PixelRepresentation, 0);

        DicomDataset Measures() => new DicomDataset()
            .SetNumbers(DicomTags.PixelSpacing, spacing.Y, spacing.X)
            .SetNumbers(DicomTags.SliceThickness, spacing.Z);
        DicomDataset Orientation() => new DicomDataset()
            .SetNumbers(DicomTags.ImageOrientationPatient, row.X, row.Y, row.Z, col.X, col.Y, col.Z);
        DicomDataset Transform() => new DicomDataset()
            .SetNumbers(DicomTags.RescaleIntercept, intercept)
            .SetNumbers(DicomTags.RescaleSlope, slope)
            .SetString(DicomTags.RescaleType, "US");

        var shared = new DicomDataset().SetSequence(DicomTags.PixelValueTransformationSequence, Transform());
        if (!geometryPerFrame)
        {
            shared.SetSequence(DicomTags.PixelMeasuresSequence, Measures());
            shared.SetSequence(DicomTags.PlaneOrientationSequence, Orientation());
        }
        ds.SetSequence(DicomTags.SharedFunctionalGroupsSequence, shared);

        var perFrame = new DicomDataset[n];
        var sliceLength = volume.SizeX * volume.SizeY;
        var pixels = new byte[n * sliceLength * 2];
        for (var f = 0; f < n; f++)
        {
            var k = frameToSlice[f];
            var p = affine.Transform(0, 0, k);
            var item = new DicomDataset()
                .SetSequence(DicomTags.FrameContentSequence, new DicomDataset().SetValues<uint>(DicomTags.DimensionIndexValues, (uint)(k + 1)))
                .SetSequence(DicomTags.PlanePositionSequence, new DicomDataset().SetNumbers(DicomTags.ImagePositionPatient, p.X, p.Y, p.Z));
            if (geometryPerFrame)
            {
                item.SetSequence(DicomTags.PixelMeasuresSequence, Measures());
                item.SetSequence(DicomTags.PlaneOrientationSequence, Orientation());
            }
            perFrame[f] = item;
            for (var q = 0; q < sliceLength; q++)
            {
                var v = volume.Data[k * sliceLength + q];
                pixels[2 * (f * sliceLength + q)] = (byte)v;
                pixels[2 * (f * sliceLength + q) + 1] = (byte)(v >> 8);
            }
        }
        ds.SetSequence(DicomTags.PerFrameFunctionalGroupsSequence, perFrame);
        ds.SetBytes(DicomTags.PixelData, DicomVR.OW, pixels);
        return ds;
    }
}
