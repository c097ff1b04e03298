using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Segmentation;

/// <summary>An Enhanced MR-shaped multi-frame source: geometry in shared and per-frame functional groups.</summary>
public static class MultiFrameSource
{
    public static (DicomDataset Image, bool[][] Masks) Create(int frames = 5, int rows = 16, int columns = 12)
    {
        var ds = TestImages.MrImage(rows, columns, seriesUid: "1.2.826.0.1.3680043.8.498.20");
        ds.SetString(DicomTags.SOPClassUID, DicomUid.EnhancedMRImageStorage);
        ds.SetString(DicomTags.SOPInstanceUID, "1.2.826.0.1.3680043.8.498.21");
        ds.SetNumbers(DicomTags.NumberOfFrames, frames);
        var measures = new DicomDataset();
        measures.SetNumbers(DicomTags.PixelSpacing, 0.5, 0.5);
        measures.SetNumbers(DicomTags.SliceThickness, 2);
        var orientation = new DicomDataset();
        orientation.SetNumbers(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0);
        var shared = new DicomDataset();
        shared.SetSequence(DicomTags.PixelMeasuresSequence, measures);
        shared.SetSequence(DicomTags.PlaneOrientationSequence, orientation);
        ds.SetSequence(DicomTags.SharedFunctionalGroupsSequence, shared);
        var masks = new bool[frames][];
        var perFrame = new DicomDataset[frames];
        for (var f = 0; f < frames; f++)
        {
            var position = new DicomDataset();
            position.SetNumbers(DicomTags.ImagePositionPatient, -4, -3, 10 - 2 * f); // descending: the writer sorts
            perFrame[f] = new DicomDataset();
            perFrame[f].SetSequence(DicomTags.PlanePositionSequence, position);
            masks[f] = Enumerable.Range(0, rows * columns).Select(i => f % 2 == 1 && (i + f) % 5 == 0).ToArray();
        }
        ds.SetSequence(DicomTags.PerFrameFunctionalGroupsSequence, perFrame);
        return (ds, masks);
    }
}
