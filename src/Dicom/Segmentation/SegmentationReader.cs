namespace Zsad.Dicom.Segmentation;

/// <summary>Decodes Segmentation Storage objects: unpacks BINARY bits or FRACTIONAL bytes per frame and ties each
/// frame to its segment (SegmentIdentification) and source frame (DerivationImage / SourceImage).</summary>
public static class SegmentationReader
{
    public static SegmentationContent Read(DicomFile file) => Read(file.Dataset);

    public static SegmentationContent Read(DicomDataset seg)
    {
        ArgumentNullException.ThrowIfNull(seg);
        if (seg.GetString(DicomTags.SOPClassUID) != DicomUid.SegmentationStorage)
            throw new DicomFormatException($"SOPClassUID {seg.GetString(DicomTags.SOPClassUID)} is not Segmentation Storage", 0);
        var type = seg.GetString(DicomTags.SegmentationType) switch
        {
            "BINARY" => SegmentationType.Binary,
            "FRACTIONAL" => SegmentationType.Fractional,
            var other => throw new DicomFormatException($"SegmentationType '{other}' is not BINARY or FRACTIONAL", 0),
        };
        var rows = seg.GetRequiredInt(DicomTags.Rows);
        var columns = seg.GetRequiredInt(DicomTags.Columns);
        var frameCount = seg.GetInt(DicomTags.NumberOfFrames) ?? 1;
        var bits = seg.GetRequiredInt(DicomTags.BitsAllocated);
        var expectedBits = type == SegmentationType.Binary ? 1 : 8;
        if (bits != expectedBits)
            throw new DicomFormatException($"{type} segmentation with BitsAllocated {bits}; expected {expectedBits}", 0);
        if (seg[DicomTags.PixelData] is not DicomElement pixelElement)
            throw new DicomFormatException("the segmentation has no native (uncompressed) PixelData", 0);
        var pixels = pixelElement.Buffer.Span;
        var n = rows * columns;
        var needed = type == SegmentationType.Binary ? ((long)frameCount * n + 7) / 8 : (long)frameCount * n;
        if (pixels.Length < needed)
            throw new DicomFormatException($"PixelData holds {pixels.Length} bytes; {frameCount} frames of {rows}x{columns} need {needed}", 0);

        var segments = new Dictionary<int, SegmentDescription>();
        foreach (var item in seg.GetItems(DicomTags.SegmentSequence))
        {
            var number = item.GetRequiredInt(DicomTags.SegmentNumber);
            var algorithm = item.GetItems(DicomTags.SegmentationAlgorithmIdentificationSequence).FirstOrDefault();
            segments[number] = new SegmentDescription
            {
                Label = item.GetString(DicomTags.SegmentLabel) ?? "",
                AlgorithmName = item.GetString(DicomTags.SegmentAlgorithmName) ?? "",
                AlgorithmVersion = algorithm?.GetString(DicomTags.AlgorithmVersion) ?? "",
                AlgorithmParameters = algorithm?.GetString(DicomTags.AlgorithmParameters),
                Description = item.GetString(DicomTags.SegmentDescription),
                Category = CodedConcept.FromSequence(item, DicomTags.SegmentedPropertyCategoryCodeSequence) ?? CodedConcept.MorphologicallyAbnormalStructure,
                Type = CodedConcept.FromSequence(item, DicomTags.SegmentedPropertyTypeCodeSequence) ?? CodedConcept.Lesion,
                AnatomicRegion = CodedConcept.FromSequence(item, DicomTags.AnatomicRegionSequence),
                Color = item.Contains(DicomTags.RecommendedDisplayCIELabValue)
                    ? CieLabColor.FromDicom(item.GetValues<ushort>(DicomTags.RecommendedDisplayCIELabValue)) : CieLabColor.Red,
            };
        }

        var shared = seg.GetItems(DicomTags.SharedFunctionalGroupsSequence).FirstOrDefault();
        var perFrame = seg.GetItems(DicomTags.PerFrameFunctionalGroupsSequence);
        if (perFrame.Count != frameCount)
            throw new DicomFormatException($"{perFrame.Count} per-frame functional group items for NumberOfFrames {frameCount}", 0);
        var frames = new SegmentationFrame[frameCount];
        for (var f = 0; f < frameCount; f++)
        {
            DicomDataset? Group(DicomTag sequence)
                => perFrame[f].GetItems(sequence).FirstOrDefault() ?? shared?.GetItems(sequence).FirstOrDefault();
            var segmentNumber = Group(DicomTags.SegmentIdentificationSequence)?.GetInt(DicomTags.ReferencedSegmentNumber)
                ?? throw new DicomFormatException($"frame {f + 1} has no SegmentIdentificationSequence", 0);
            var source = Group(DicomTags.DerivationImageSequence)?.GetItems(DicomTags.SourceImageSequence).FirstOrDefault()
                ?? throw new DicomFormatException($"frame {f + 1} has no DerivationImageSequence / SourceImageSequence", 0);
            var instance = source.GetString(DicomTags.ReferencedSOPInstanceUID)
                ?? throw new DicomFormatException($"frame {f + 1} references no ReferencedSOPInstanceUID", 0);
            var values = new byte[n];
            if (type == SegmentationType.Binary)
                SegmentationBitPacking.Unpack(pixels, (long)f * n, values);
            else
                pixels.Slice(f * n, n).CopyTo(values);
            var position = Group(DicomTags.PlanePositionSequence)?.GetDoubles(DicomTags.ImagePositionPatient);
            frames[f] = new SegmentationFrame(segmentNumber, instance, source.GetInt(DicomTags.ReferencedFrameNumber), position, values);
        }

        var referenced = seg.GetItems(DicomTags.ReferencedSeriesSequence)
            .SelectMany(s => s.GetItems(DicomTags.ReferencedInstanceSequence))
            .Select(i => i.GetString(DicomTags.ReferencedSOPInstanceUID) ?? "")
            .ToArray();
        var max = type == SegmentationType.Fractional ? seg.GetInt(DicomTags.MaximumFractionalValue) ?? 255 : 1;
        return new SegmentationContent(type, rows, columns, max, segments, frames, referenced);
    }
}
