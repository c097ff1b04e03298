using System.Text;
using Zsad.Dicom.Segmentation;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Segmentation;

/// <summary>One test per rule of the Segmentation checklist in DICOM.md.</summary>
public class SegmentationWriterTests
{
    private static readonly SegmentationTestData Data = new();

    [Fact]
    public void BinaryPacking_PutsFirstPixelInBit0_WithNoPaddingBetweenFrames()
    {
        // 3x5 = 15 pixels per frame: frame 2 starts at bit 15, in the middle of byte 1
        var images = Enumerable.Range(1, 2).Select(i => TestImages.MrImage(3, 5, seriesUid: "1.2.3.4", instance: i)).ToArray();
        var first = new bool[15];
        first[0] = true;
        var second = new bool[15];
        second[0] = true;
        second[14] = true;
        var seg = SegmentationWriter.CreateBinary(images, [first, second], SegmentationTestData.Description, SegmentationTestData.Options);
        var pixels = seg.GetBytes(DicomTags.PixelData).ToArray();
        Assert.Equal(new byte[] { 0b0000_0001, 0b1000_0000, 0, 0b0010_0000 }, pixels); // bits 0, 15 and 29 of 30: 4 bytes, even
        Assert.Equal(2, seg.GetInt(DicomTags.NumberOfFrames));
    }

    [Theory]
    [InlineData(1, 15, 2)]
    [InlineData(1, 16, 2)]
    [InlineData(3, 15, 6)]
    [InlineData(1, 8, 2)]
    [InlineData(2, 64 * 64, 1024)]
    public void BinaryPacking_TotalLengthIsPaddedToEven(int frames, int pixels, long expected)
        => Assert.Equal(expected, SegmentationBitPacking.PackedLength(frames, pixels));

    [Fact]
    public void BinaryPacking_UnpackInvertsPack()
    {
        var rng = new Random(3);
        var values = Enumerable.Range(0, 1001).Select(_ => (byte)rng.Next(2)).ToArray();
        var packed = new byte[SegmentationBitPacking.PackedLength(1, 1001) + 2];
        SegmentationBitPacking.Pack(values, packed, 13);
        var back = new byte[1001];
        SegmentationBitPacking.Unpack(packed, 13, back);
        Assert.Equal(values, back);
    }

    [Fact]
    public void EmptyFrames_AreOmitted_ButEverySourceInstanceIsReferenced()
    {
        var seg = Data.Binary();
        var nonEmpty = Data.Masks.Count(m => m.Any(v => v));
        Assert.True(nonEmpty < Data.Images.Length, "test data should contain empty slices");
        Assert.Equal(nonEmpty, seg.GetInt(DicomTags.NumberOfFrames));
        Assert.Equal(nonEmpty, seg.GetItems(DicomTags.PerFrameFunctionalGroupsSequence).Count);
        var referenced = seg.GetItems(DicomTags.ReferencedSeriesSequence).Single();
        Assert.Equal(SegmentationTestData.SeriesUid, referenced.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(Data.Images.Select(i => i.GetString(DicomTags.SOPInstanceUID)).Order(),
            referenced.GetItems(DicomTags.ReferencedInstanceSequence).Select(i => i.GetString(DicomTags.ReferencedSOPInstanceUID)).Order());
    }

    [Fact]
    public void AllEmptyResult_KeepsOneEmptyFrame()
    {
        var data = new SegmentationTestData(empty: true);
        var seg = data.Binary();
        Assert.Equal(1, seg.GetInt(DicomTags.NumberOfFrames));
        Assert.All(seg.GetBytes(DicomTags.PixelData).ToArray(), b => Assert.Equal(0, b));
        var content = SegmentationReader.Read(seg);
        Assert.All(data.Images, i => Assert.DoesNotContain(true, content.GetMask(1, i.GetString(DicomTags.SOPInstanceUID)!)));
    }

    [Fact]
    public void Uids_AreDeterministic_AndChangeWithDetectorOrSettings()
    {
        var a = Data.Binary();
        var b = new SegmentationTestData().Binary(); // new source SOP instance UIDs, same series
        Assert.Equal(a.GetString(DicomTags.SeriesInstanceUID), b.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(a.GetString(DicomTags.SOPInstanceUID), b.GetString(DicomTags.SOPInstanceUID));
        Assert.Equal(SegmentationWriter.DeriveSeriesInstanceUid(SegmentationTestData.SeriesUid, "anomalyclip", "threshold=0.5"), a.GetString(DicomTags.SeriesInstanceUID));
        var other = Data.Binary(SegmentationTestData.Options with { Settings = "threshold=0.6" });
        Assert.NotEqual(a.GetString(DicomTags.SeriesInstanceUID), other.GetString(DicomTags.SeriesInstanceUID));
        var detector = Data.Binary(SegmentationTestData.Options with { DetectorName = "vand" });
        Assert.NotEqual(a.GetString(DicomTags.SeriesInstanceUID), detector.GetString(DicomTags.SeriesInstanceUID));
        Assert.NotEqual(a.GetString(DicomTags.SOPInstanceUID), Data.Fractional().GetString(DicomTags.SOPInstanceUID));
        Assert.True(DicomUid.IsValid(a.GetString(DicomTags.SOPInstanceUID)!));
    }

    [Fact]
    public void PatientId_IsCopiedByteForByte()
    {
        var images = Data.Images.Select(i => i.Clone()).ToArray();
        var raw = Encoding.Latin1.GetBytes(" 00123\u00e9 ");
        foreach (var i in images)
        {
            i.SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100");
            i.SetBytes(DicomTags.PatientID, DicomVR.LO, raw);
        }
        var seg = SegmentationWriter.CreateBinary(images, Data.Masks, SegmentationTestData.Description, SegmentationTestData.Options);
        Assert.Equal(raw, seg.GetBytes(DicomTags.PatientID).ToArray());
        Assert.Equal("ISO_IR 100", seg.GetString(DicomTags.SpecificCharacterSet));
    }

    [Fact]
    public void Type2PatientAndStudyAttributes_ArePresentEvenWhenTheSourceLacksThem()
    {
        var images = Data.Images.Select(i => i.Clone()).ToArray();
        foreach (var i in images)
        {
            i.Remove(DicomTags.PatientBirthDate);
            i.Remove(DicomTags.StudyID);
        }
        var seg = SegmentationWriter.CreateBinary(images, Data.Masks, SegmentationTestData.Description, SegmentationTestData.Options);
        Assert.True(seg.Contains(DicomTags.PatientBirthDate));
        Assert.True(seg.Contains(DicomTags.StudyID));
        Assert.Equal("", seg.GetString(DicomTags.StudyID));
    }

    [Fact]
    public void SeriesAndEquipment_AreNewAndType1()
    {
        var seg = Data.Binary();
        Assert.Equal("SEG", seg.GetString(DicomTags.Modality));
        Assert.NotEqual(SegmentationTestData.SeriesUid, seg.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(Data.Images[0].GetString(DicomTags.StudyInstanceUID), seg.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal(Data.Images[0].GetString(DicomTags.FrameOfReferenceUID), seg.GetString(DicomTags.FrameOfReferenceUID));
        Assert.Equal(901, seg.GetInt(DicomTags.SeriesNumber));
        Assert.Equal("AnomalyCLIP anomalies", seg.GetString(DicomTags.SeriesDescription));
        foreach (var tag in new[] { DicomTags.Manufacturer, DicomTags.ManufacturerModelName, DicomTags.DeviceSerialNumber, DicomTags.SoftwareVersions })
            Assert.False(string.IsNullOrEmpty(seg.GetString(tag)), DicomDictionary.KeywordOf(tag));
        Assert.Throws<ArgumentException>(() => Data.Binary(SegmentationTestData.Options with { DeviceSerialNumber = "" }));
    }

    [Fact]
    public void SegmentationImageModule_Binary()
    {
        var seg = Data.Binary();
        Assert.Equal(["DERIVED", "PRIMARY"], seg.GetStrings(DicomTags.ImageType));
        Assert.Equal("BINARY", seg.GetString(DicomTags.SegmentationType));
        Assert.Equal([1, 1, 0, 0], new[] { DicomTags.BitsAllocated, DicomTags.BitsStored, DicomTags.HighBit, DicomTags.PixelRepresentation }.Select(t => seg.GetInt(t)!.Value));
        Assert.Equal("MONOCHROME2", seg.GetString(DicomTags.PhotometricInterpretation));
        Assert.Equal("00", seg.GetString(DicomTags.LossyImageCompression));
        Assert.Equal("NO", seg.GetString(DicomTags.SegmentsOverlap));
        Assert.Equal("ANOMALY", seg.GetString(DicomTags.ContentLabel));
        Assert.True(seg.Contains(DicomTags.ContentCreatorName));
        Assert.False(seg.Contains(DicomTags.MaximumFractionalValue));
        Assert.Equal(DicomVR.OB, seg[DicomTags.PixelData]!.VR);
        Assert.Equal(Data.Rows, seg.GetInt(DicomTags.Rows));
        Assert.Equal(Data.Columns, seg.GetInt(DicomTags.Columns));
    }

    [Fact]
    public void SegmentationImageModule_FractionalIsProbabilityIn8Bits()
    {
        var seg = Data.Fractional();
        Assert.Equal("FRACTIONAL", seg.GetString(DicomTags.SegmentationType));
        Assert.Equal("PROBABILITY", seg.GetString(DicomTags.SegmentationFractionalType));
        Assert.Equal(255, seg.GetInt(DicomTags.MaximumFractionalValue));
        Assert.Equal([8, 8, 7], new[] { DicomTags.BitsAllocated, DicomTags.BitsStored, DicomTags.HighBit }.Select(t => seg.GetInt(t)!.Value));
        var content = SegmentationReader.Read(seg);
        for (var i = 0; i < Data.Images.Length; i++)
        {
            var p = content.GetProbabilities(1, Data.Images[i].GetString(DicomTags.SOPInstanceUID)!);
            for (var j = 0; j < p.Length; j++)
                Assert.True(Math.Abs(p[j] - Data.Probabilities[i][j]) <= 0.5f / 255 + 1e-6f, $"slice {i} pixel {j}: {p[j]} vs {Data.Probabilities[i][j]}");
        }
    }

    [Fact]
    public void SegmentItem_HasAlgorithmIdentificationAndSctCodes()
    {
        var item = Data.Binary().GetItems(DicomTags.SegmentSequence).Single();
        Assert.Equal(1, item.GetInt(DicomTags.SegmentNumber));
        Assert.Equal("Anomaly", item.GetString(DicomTags.SegmentLabel));
        Assert.Equal("AUTOMATIC", item.GetString(DicomTags.SegmentAlgorithmType));
        Assert.Equal("AnomalyCLIP", item.GetString(DicomTags.SegmentAlgorithmName));
        var algorithm = item.GetItems(DicomTags.SegmentationAlgorithmIdentificationSequence).Single();
        Assert.Equal(CodedConcept.ArtificialIntelligence, CodedConcept.FromSequence(algorithm, DicomTags.AlgorithmFamilyCodeSequence));
        Assert.Equal("1.0", algorithm.GetString(DicomTags.AlgorithmVersion));
        Assert.Equal(new CodedConcept("49755003", "SCT", "Morphologically Abnormal Structure"), CodedConcept.FromSequence(item, DicomTags.SegmentedPropertyCategoryCodeSequence));
        Assert.Equal(new CodedConcept("52988006", "SCT", "Lesion"), CodedConcept.FromSequence(item, DicomTags.SegmentedPropertyTypeCodeSequence));
        Assert.Equal(new CodedConcept("12738006", "SCT", "Brain"), CodedConcept.FromSequence(item, DicomTags.AnatomicRegionSequence));
        Assert.Equal(3, item.GetValues<ushort>(DicomTags.RecommendedDisplayCIELabValue).Length);
    }

    [Fact]
    public void SharedGroups_HoldPixelMeasuresAndPlaneOrientation_NeverRepeatedPerFrame()
    {
        var seg = Data.Binary();
        var shared = seg.GetItems(DicomTags.SharedFunctionalGroupsSequence).Single();
        var measures = shared.GetItems(DicomTags.PixelMeasuresSequence).Single();
        Assert.Equal([0.9375, 0.9375], measures.GetDoubles(DicomTags.PixelSpacing));
        Assert.Equal(1.5, measures.GetDouble(DicomTags.SliceThickness));
        Assert.Equal(1.5, measures.GetDouble(DicomTags.SpacingBetweenSlices));
        Assert.Equal([1.0, 0, 0, 0, 1, 0], shared.GetItems(DicomTags.PlaneOrientationSequence).Single().GetDoubles(DicomTags.ImageOrientationPatient));
        foreach (var frame in seg.GetItems(DicomTags.PerFrameFunctionalGroupsSequence))
        {
            foreach (var group in shared)
                Assert.False(frame.Contains(group.Tag), $"{DicomDictionary.KeywordOf(group.Tag)} is both shared and per-frame");
            Assert.True(frame.Contains(DicomTags.PlanePositionSequence));
        }
    }

    [Fact]
    public void PerFrameGroups_ReferenceTheSourceSliceAtTheSamePosition()
    {
        var seg = Data.Binary();
        var bySop = Data.Images.ToDictionary(i => i.GetString(DicomTags.SOPInstanceUID)!);
        var previousZ = double.NegativeInfinity;
        foreach (var frame in seg.GetItems(DicomTags.PerFrameFunctionalGroupsSequence))
        {
            var derivation = frame.GetItems(DicomTags.DerivationImageSequence).Single();
            Assert.Equal(CodedConcept.Segmentation, CodedConcept.FromSequence(derivation, DicomTags.DerivationCodeSequence));
            var source = derivation.GetItems(DicomTags.SourceImageSequence).Single();
            Assert.Equal(DicomUid.MRImageStorage, source.GetString(DicomTags.ReferencedSOPClassUID));
            Assert.Equal(CodedConcept.SourceImageForImageProcessingOperation, CodedConcept.FromSequence(source, DicomTags.PurposeOfReferenceCodeSequence));
            Assert.Equal("YES", source.GetString(DicomTags.SpatialLocationsPreserved));
            var image = bySop[source.GetString(DicomTags.ReferencedSOPInstanceUID)!];
            var position = frame.GetItems(DicomTags.PlanePositionSequence).Single().GetDoubles(DicomTags.ImagePositionPatient);
            Assert.Equal(image.GetDoubles(DicomTags.ImagePositionPatient), position);
            Assert.True(position[2] > previousZ, "frames are ordered along the slice normal");
            previousZ = position[2];
            Assert.Equal(1, frame.GetItems(DicomTags.SegmentIdentificationSequence).Single().GetInt(DicomTags.ReferencedSegmentNumber));
            var index = frame.GetItems(DicomTags.FrameContentSequence).Single().GetValues<uint>(DicomTags.DimensionIndexValues);
            Assert.Equal(2, index.Length);
            Assert.Equal(1u, index[0]);
            Assert.Equal((uint)image.GetInt(DicomTags.InstanceNumber)!.Value, index[1]); // instance i sits at z = 1.5 i: the i-th position
        }
    }

    [Fact]
    public void DimensionIndex_PointsAtSegmentNumberThenImagePosition()
    {
        var seg = Data.Binary();
        var uid = seg.GetItems(DicomTags.DimensionOrganizationSequence).Single().GetString(DicomTags.DimensionOrganizationUID);
        var index = seg.GetItems(DicomTags.DimensionIndexSequence);
        Assert.Equal(2, index.Count);
        Assert.Equal([DicomTags.ReferencedSegmentNumber], index[0].GetTags(DicomTags.DimensionIndexPointer));
        Assert.Equal([DicomTags.SegmentIdentificationSequence], index[0].GetTags(DicomTags.FunctionalGroupPointer));
        Assert.Equal([DicomTags.ImagePositionPatient], index[1].GetTags(DicomTags.DimensionIndexPointer));
        Assert.Equal([DicomTags.PlanePositionSequence], index[1].GetTags(DicomTags.FunctionalGroupPointer));
        Assert.All(index, i => Assert.Equal(uid, i.GetString(DicomTags.DimensionOrganizationUID)));
    }

    [Fact]
    public void Reader_RoundTripsMasksThroughAPart10File()
    {
        using var dir = new TempDir();
        var path = SegmentationTestData.Save(Data.Binary(), dir, "seg.dcm");
        var content = SegmentationReader.Read(DicomFile.Open(path));
        Assert.Equal(SegmentationType.Binary, content.Type);
        Assert.Equal("Anomaly", content.Segments[1].Label);
        for (var i = 0; i < Data.Images.Length; i++)
            Assert.Equal(Data.Masks[i], content.GetMask(1, Data.Images[i].GetString(DicomTags.SOPInstanceUID)!));
    }

    [Fact]
    public void TwoSegments_ThatShareAPixel_AreMarkedOverlapping()
    {
        var source = SegmentationSource.FromSingleFrameImages(Data.Images);
        var seg = SegmentationWriter.Create(source,
            [Segment.Binary(SegmentationTestData.Description, Data.Masks), Segment.Binary(SegmentationTestData.Description with { Label = "Copy" }, Data.Masks)],
            SegmentationTestData.Options);
        Assert.Equal("YES", seg.GetString(DicomTags.SegmentsOverlap));
        Assert.Equal(2, seg.GetItems(DicomTags.SegmentSequence).Count);
    }

    [Fact]
    public void MultiFrameSource_FramesReferenceTheirFrameNumber()
    {
        var (image, masks) = MultiFrameSource.Create();
        var seg = SegmentationWriter.Create(SegmentationSource.FromMultiFrameImage(image), [Segment.Binary(SegmentationTestData.Description, masks)], SegmentationTestData.Options);
        var content = SegmentationReader.Read(seg);
        Assert.Equal(2, content.Frames.Count); // frames 2 and 4 are non-empty
        for (var f = 0; f < masks.Length; f++)
            Assert.Equal(masks[f], content.GetMask(1, image.GetString(DicomTags.SOPInstanceUID)!, f + 1));
        Assert.Equal(2.0, seg.GetItems(DicomTags.SharedFunctionalGroupsSequence)[0].GetItems(DicomTags.PixelMeasuresSequence)[0].GetDouble(DicomTags.SpacingBetweenSlices));
    }

    [Fact]
    public void MaskOfWrongSize_IsRefusedWithTheSizes()
    {
        var masks = Data.Masks.Select(m => m.ToArray()).ToArray();
        masks[2] = new bool[10];
        var ex = Assert.Throws<ArgumentException>(() => SegmentationWriter.CreateBinary(Data.Images, masks, SegmentationTestData.Description, SegmentationTestData.Options));
        Assert.Contains($"frame 2 has 10 pixels, the source frame has Rows x Columns = {Data.Rows * Data.Columns}", ex.Message);
    }

    [Fact]
    public void SourcesOfDifferentSize_AreRefused()
    {
        var images = Data.Images.ToArray();
        images[1] = TestImages.MrImage(10, 10, seriesUid: SegmentationTestData.SeriesUid);
        var ex = Assert.Throws<ArgumentException>(() => SegmentationSource.FromSingleFrameImages(images));
        Assert.Contains("Rows and Columns", ex.Message);
    }

    [Fact]
    public void InvalidContentLabel_IsRefused()
        => Assert.Throws<DicomValidationException>(() => Data.Binary(SegmentationTestData.Options with { ContentLabel = "anomaly-map" }));
}
