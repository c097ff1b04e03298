namespace Zsad.Dicom.Segmentation;

/// <summary>Builds Segmentation Storage objects (PS3.3 A.51) derived from MR images, following the checklist of
/// DICOM.md: copied patient/study/frame-of-reference, new series, enhanced equipment, segment items with SCT codes,
/// shared PixelMeasures/PlaneOrientation, per-frame FrameContent/PlanePosition/DerivationImage/SegmentIdentification,
/// a (segment, position) dimension index and a ReferencedSeriesSequence naming every source instance.</summary>
public static class SegmentationWriter
{
    /// <summary>Patient, study and frame-of-reference attributes taken unchanged (bytes and all) from the source.
    /// The flag marks Type 2 attributes, which are written empty when the source lacks them.</summary>
    private static readonly (DicomTag Tag, bool Type2)[] CopiedFromSource =
    [
        (DicomTags.SpecificCharacterSet, false),
        (DicomTags.StudyDate, true),
        (DicomTags.StudyTime, true),
        (DicomTags.AccessionNumber, true),
        (DicomTags.ReferringPhysicianName, true),
        (DicomTags.StudyDescription, false),
        (DicomTags.PatientName, true),
        (DicomTags.PatientID, true),
        (DicomTags.IssuerOfPatientID, false),
        (DicomTags.PatientBirthDate, true),
        (DicomTags.PatientSex, true),
        (DicomTags.PatientAge, false),
        (DicomTags.StudyInstanceUID, false),
        (DicomTags.StudyID, true),
        (DicomTags.FrameOfReferenceUID, false),
        (DicomTags.PositionReferenceIndicator, true),
    ];

    /// <summary>The SeriesInstanceUID of the SEG made from a source series by a detector with some settings: the
    /// same inputs always give the same UID, so a redelivered message replaces rather than duplicates the series.</summary>
    public static string DeriveSeriesInstanceUid(string sourceSeriesInstanceUid, string detectorName, string settings)
        => DicomUid.FromName(NameKey("zsad/seg/series", sourceSeriesInstanceUid, detectorName, settings));

    /// <summary>The SOPInstanceUID of the SEG instance within its derived series.</summary>
    public static string DeriveSopInstanceUid(string seriesInstanceUid, SegmentationType type, int instanceNumber)
        => DicomUid.FromName(NameKey("zsad/seg/instance", seriesInstanceUid, type.ToString(), instanceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    // Length-prefixed parts: ("a|b", "c") and ("a", "b|c") must not name the same UID.
    private static string NameKey(params string[] parts) => string.Join("|", parts.Select(p => $"{p.Length}:{p}"));

    /// <summary>A BINARY segmentation with one segment from single-frame source images and one mask per image.</summary>
    public static DicomDataset CreateBinary(IReadOnlyList<DicomDataset> sourceImages, IReadOnlyList<bool[]> masks,
        SegmentDescription segment, SegmentationOptions options)
        => Create(SegmentationSource.FromSingleFrameImages(sourceImages), [Segment.Binary(segment, masks)], options);

    /// <summary>A FRACTIONAL (PROBABILITY) segmentation with one segment from single-frame source images and one
    /// probability map per image.</summary>
    public static DicomDataset CreateFractional(IReadOnlyList<DicomDataset> sourceImages, IReadOnlyList<float[]> probabilities,
        SegmentDescription segment, SegmentationOptions options)
        => Create(SegmentationSource.FromSingleFrameImages(sourceImages), [Segment.Fractional(segment, probabilities)], options);

    /// <summary>Builds the segmentation. Segments are numbered 1..N in list order and must all be BINARY or all FRACTIONAL.
    /// When every frame of every segment is empty and empty frames are omitted, one empty frame (segment 1, the
    /// lowest slice) is kept: with zero frames dciodvfy reports "NumberOfFrames Value is zero", an empty PixelData and an
    /// empty PerFrameFunctionalGroupsSequence, and pydicom 2.3.1 cannot build pixel_array.</summary>
    public static DicomDataset Create(SegmentationSource source, IReadOnlyList<Segment> segments, SegmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(options);
        if (segments.Count == 0)
            throw new ArgumentException("a segmentation needs at least one segment", nameof(segments));
        var type = segments[0].Type;
        for (var s = 0; s < segments.Count; s++)
        {
            if (segments[s].Type != type)
                throw new ArgumentException($"segment {s + 1} is {segments[s].Type} but segment 1 is {type}: one SegmentationType per object");
            if (segments[s].FrameCount != source.Frames.Count)
                throw new ArgumentException($"segment {s + 1} has {segments[s].FrameCount} frames for {source.Frames.Count} source frames");
        }
        if (options.MaximumFractionalValue is < 1 or > 255)
            throw new ArgumentException($"MaximumFractionalValue {options.MaximumFractionalValue} is outside 1..255 (8-bit storage)");

        var frames = EncodeFrames(source, segments, options, type, out var pixelData, out var overlap);
        var when = options.ContentDateTime ?? DateTimeOffset.Now;
        var sourceSeries = source.Frames.Select(f => f.SeriesInstanceUid).Distinct().Order(StringComparer.Ordinal).ToArray();
        var seriesUid = DeriveSeriesInstanceUid(string.Join("\\", sourceSeries), options.DetectorName, options.Settings);
        var sopInstanceUid = DeriveSopInstanceUid(seriesUid, type, options.InstanceNumber);
        var dimensionOrganizationUid = DicomUid.FromName(NameKey("zsad/seg/dimensions", sopInstanceUid));

        var ds = new DicomDataset();
        foreach (var (tag, type2) in CopiedFromSource)
        {
            if (source.Header[tag] is DicomElement element)
                ds.Set(element);
            else if (type2)
                ds.SetString(tag, "");
        }
        if (string.IsNullOrEmpty(ds.GetString(DicomTags.StudyInstanceUID)))
            throw new ArgumentException("the source has no StudyInstanceUID: a segmentation belongs to its source's study");
        if (string.IsNullOrEmpty(ds.GetString(DicomTags.FrameOfReferenceUID)))
            throw new ArgumentException("the source has no FrameOfReferenceUID: segmentation frames are placed in the source's frame of reference");

        // SOP common and general image
        ds.SetString(DicomTags.SOPClassUID, DicomUid.SegmentationStorage);
        ds.SetString(DicomTags.SOPInstanceUID, sopInstanceUid);
        ds.SetDate(DicomTags.InstanceCreationDate, DateOnly.FromDateTime(when.DateTime));
        ds.SetTime(DicomTags.InstanceCreationTime, TimeOnly.FromDateTime(when.DateTime));
        ds.SetString(DicomTags.ImageType, "DERIVED", "PRIMARY");
        ds.SetDate(DicomTags.SeriesDate, DateOnly.FromDateTime(when.DateTime));
        ds.SetTime(DicomTags.SeriesTime, TimeOnly.FromDateTime(when.DateTime));
        ds.SetDate(DicomTags.ContentDate, DateOnly.FromDateTime(when.DateTime));
        ds.SetTime(DicomTags.ContentTime, TimeOnly.FromDateTime(when.DateTime));

        // general series / segmentation series, enhanced general equipment
        ds.SetString(DicomTags.Modality, "SEG");
        ds.SetString(DicomTags.SeriesDescription, options.SeriesDescription);
        ds.SetString(DicomTags.SeriesInstanceUID, seriesUid);
        ds.SetNumbers(DicomTags.SeriesNumber, options.SeriesNumber);
        ds.SetString(DicomTags.Manufacturer, Type1(options.Manufacturer, nameof(options.Manufacturer)));
        ds.SetString(DicomTags.ManufacturerModelName, Type1(options.ManufacturerModelName, nameof(options.ManufacturerModelName)));
        ds.SetString(DicomTags.DeviceSerialNumber, Type1(options.DeviceSerialNumber, nameof(options.DeviceSerialNumber)));
        ds.SetString(DicomTags.SoftwareVersions, Type1(options.SoftwareVersions, nameof(options.SoftwareVersions)));
        ds.SetNumbers(DicomTags.InstanceNumber, options.InstanceNumber);

        // segmentation image + image pixel
        ds.SetString(DicomTags.ContentLabel, Type1(options.ContentLabel, nameof(options.ContentLabel)));
        if (options.ContentDescription is not null)
            ds.SetString(DicomTags.ContentDescription, options.ContentDescription);
        ds.SetString(DicomTags.ContentCreatorName, options.ContentCreatorName);
        ds.SetValues<ushort>(DicomTags.SamplesPerPixel, 1);
        ds.SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.SetNumbers(DicomTags.NumberOfFrames, frames.Count);
        ds.SetValues(DicomTags.Rows, (ushort)source.Rows);
        ds.SetValues(DicomTags.Columns, (ushort)source.Columns);
        var bits = type == SegmentationType.Binary ? (ushort)1 : (ushort)8;
        ds.SetValues(DicomTags.BitsAllocated, bits);
        ds.SetValues(DicomTags.BitsStored, bits);
        ds.SetValues(DicomTags.HighBit, (ushort)(bits - 1));
        ds.SetValues<ushort>(DicomTags.PixelRepresentation, 0);
        ds.SetString(DicomTags.LossyImageCompression, "00");
        ds.SetString(DicomTags.SegmentationType, type == SegmentationType.Binary ? "BINARY" : "FRACTIONAL");
        if (type == SegmentationType.Fractional)
        {
            ds.SetString(DicomTags.SegmentationFractionalType, "PROBABILITY");
            ds.SetValues(DicomTags.MaximumFractionalValue, (ushort)options.MaximumFractionalValue);
        }
        ds.SetString(DicomTags.SegmentsOverlap, overlap ? "YES" : "NO");
        for (var s = 0; s < segments.Count; s++)
            ds.AddItem(DicomTags.SegmentSequence, SegmentItem(s + 1, segments[s].Description));

        // multi-frame dimension
        var organization = new DicomDataset();
        organization.SetString(DicomTags.DimensionOrganizationUID, dimensionOrganizationUid);
        ds.SetSequence(DicomTags.DimensionOrganizationSequence, organization);
        ds.SetSequence(DicomTags.DimensionIndexSequence,
            DimensionIndex(DicomTags.ReferencedSegmentNumber, DicomTags.SegmentIdentificationSequence, dimensionOrganizationUid, "Segment Number"),
            DimensionIndex(DicomTags.ImagePositionPatient, DicomTags.PlanePositionSequence, dimensionOrganizationUid, "Image Position Patient"));

        // multi-frame functional groups
        ds.SetSequence(DicomTags.SharedFunctionalGroupsSequence, SharedGroups(source));
        ds.SetSequence(DicomTags.PerFrameFunctionalGroupsSequence, frames.Select(f => PerFrameGroups(source, f)).ToArray());

        // common instance reference
        ds.SetSequence(DicomTags.ReferencedSeriesSequence, ReferencedSeries(source));

        ds.SetBytes(DicomTags.PixelData, DicomVR.OB, pixelData);
        return ds;
    }

    private static string Type1(string value, string option)
        => string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"SegmentationOptions.{option} is Type 1 and must not be empty") : value;

    /// <summary>A frame of the output: which segment, which source frame, and its place in the dimension index.</summary>
    private readonly record struct EncodedFrame(int SegmentNumber, int SourceIndex, int PositionIndex);

    private static List<EncodedFrame> EncodeFrames(SegmentationSource source, IReadOnlyList<Segment> segments, SegmentationOptions options,
        SegmentationType type, out byte[] pixelData, out bool overlap)
    {
        var n = source.PixelsPerFrame;
        var order = Enumerable.Range(0, source.Frames.Count).OrderBy(i => source.Positions[i]).ToArray(); // stable: ties keep input order
        var distinct = source.Positions.Distinct().Order().ToArray();
        var positionIndex = new int[source.Frames.Count];
        for (var i = 0; i < positionIndex.Length; i++)
            positionIndex[i] = Array.BinarySearch(distinct, source.Positions[i]) + 1;

        var frames = new List<EncodedFrame>();
        var stored = new List<byte[]>();
        var covered = new byte[source.Frames.Count][]; // per source frame: which pixels some earlier segment holds
        overlap = false;
        for (var s = 0; s < segments.Count; s++)
        {
            foreach (var i in order)
            {
                var values = new byte[n];
                var any = segments[s].StoreFrame(i, values, options.MaximumFractionalValue);
                if (any)
                {
                    var seen = covered[i] ??= new byte[n];
                    for (var p = 0; p < n; p++)
                    {
                        if (values[p] == 0)
                            continue;
                        overlap |= seen[p] != 0;
                        seen[p] = 1;
                    }
                }
                if (!any && options.OmitEmptyFrames)
                    continue;
                frames.Add(new EncodedFrame(s + 1, i, positionIndex[i]));
                stored.Add(values);
            }
        }
        if (frames.Count == 0)
        {
            frames.Add(new EncodedFrame(1, order[0], positionIndex[order[0]]));
            stored.Add(new byte[n]);
        }

        if (type == SegmentationType.Binary)
        {
            pixelData = new byte[checked((int)SegmentationBitPacking.PackedLength(frames.Count, n))];
            for (var f = 0; f < stored.Count; f++)
                SegmentationBitPacking.Pack(stored[f], pixelData, (long)f * n);
        }
        else
        {
            var length = checked((long)frames.Count * n);
            pixelData = new byte[checked((int)(length + (length & 1)))];
            for (var f = 0; f < stored.Count; f++)
                stored[f].CopyTo(pixelData, f * n);
        }
        return frames;
    }

    private static DicomDataset SegmentItem(int number, SegmentDescription d)
    {
        var item = new DicomDataset();
        item.SetValues(DicomTags.SegmentNumber, (ushort)number);
        item.SetString(DicomTags.SegmentLabel, d.Label);
        if (d.Description is not null)
            item.SetString(DicomTags.SegmentDescription, d.Description);
        item.SetString(DicomTags.SegmentAlgorithmType, "AUTOMATIC");
        item.SetString(DicomTags.SegmentAlgorithmName, d.AlgorithmName);
        var algorithm = new DicomDataset();
        algorithm.SetSequence(DicomTags.AlgorithmFamilyCodeSequence, CodedConcept.ArtificialIntelligence.ToItem());
        algorithm.SetString(DicomTags.AlgorithmName, d.AlgorithmName);
        algorithm.SetString(DicomTags.AlgorithmVersion, d.AlgorithmVersion);
        if (d.AlgorithmParameters is not null)
            algorithm.SetString(DicomTags.AlgorithmParameters, d.AlgorithmParameters);
        item.SetSequence(DicomTags.SegmentationAlgorithmIdentificationSequence, algorithm);
        item.SetSequence(DicomTags.SegmentedPropertyCategoryCodeSequence, d.Category.ToItem());
        item.SetSequence(DicomTags.SegmentedPropertyTypeCodeSequence, d.Type.ToItem());
        if (d.AnatomicRegion is not null)
            item.SetSequence(DicomTags.AnatomicRegionSequence, d.AnatomicRegion.ToItem());
        item.SetValues(DicomTags.RecommendedDisplayCIELabValue, d.Color.ToDicom());
        return item;
    }

    private static DicomDataset DimensionIndex(DicomTag pointer, DicomTag group, string organizationUid, string label)
    {
        var item = new DicomDataset();
        item.SetTags(DicomTags.DimensionIndexPointer, pointer);
        item.SetTags(DicomTags.FunctionalGroupPointer, group);
        item.SetString(DicomTags.DimensionOrganizationUID, organizationUid);
        item.SetString(DicomTags.DimensionDescriptionLabel, label);
        return item;
    }

    private static DicomDataset SharedGroups(SegmentationSource source)
    {
        var first = source.Frames[0];
        var measures = new DicomDataset();
        measures.SetNumbers(DicomTags.PixelSpacing, first.PixelSpacing);
        var spacing = source.SpacingBetweenSlices();
        var thickness = first.SliceThickness ?? spacing;
        if (thickness is { } t)
            measures.SetNumbers(DicomTags.SliceThickness, t);
        if (spacing is { } sp && sp > 0)
            measures.SetNumbers(DicomTags.SpacingBetweenSlices, sp);
        var orientation = new DicomDataset();
        orientation.SetNumbers(DicomTags.ImageOrientationPatient, first.ImageOrientationPatient);
        var shared = new DicomDataset();
        shared.SetSequence(DicomTags.PixelMeasuresSequence, measures);
        shared.SetSequence(DicomTags.PlaneOrientationSequence, orientation);
        return shared;
    }

    private static DicomDataset PerFrameGroups(SegmentationSource source, EncodedFrame frame)
    {
        var src = source.Frames[frame.SourceIndex];
        var reference = new DicomDataset();
        reference.SetString(DicomTags.ReferencedSOPClassUID, src.SopClassUid);
        reference.SetString(DicomTags.ReferencedSOPInstanceUID, src.SopInstanceUid);
        if (src.FrameNumber is { } number)
            reference.SetNumbers(DicomTags.ReferencedFrameNumber, number);
        reference.SetSequence(DicomTags.PurposeOfReferenceCodeSequence, CodedConcept.SourceImageForImageProcessingOperation.ToItem());
        reference.SetString(DicomTags.SpatialLocationsPreserved, "YES");
        var derivation = new DicomDataset();
        derivation.SetSequence(DicomTags.SourceImageSequence, reference);
        derivation.SetSequence(DicomTags.DerivationCodeSequence, CodedConcept.Segmentation.ToItem());

        var content = new DicomDataset();
        content.SetValues(DicomTags.DimensionIndexValues, (uint)frame.SegmentNumber, (uint)frame.PositionIndex);
        var position = new DicomDataset();
        position.SetNumbers(DicomTags.ImagePositionPatient, src.ImagePositionPatient);
        var segment = new DicomDataset();
        segment.SetValues(DicomTags.ReferencedSegmentNumber, (ushort)frame.SegmentNumber);

        var groups = new DicomDataset();
        groups.SetSequence(DicomTags.DerivationImageSequence, derivation);
        groups.SetSequence(DicomTags.FrameContentSequence, content);
        groups.SetSequence(DicomTags.PlanePositionSequence, position);
        groups.SetSequence(DicomTags.SegmentIdentificationSequence, segment);
        return groups;
    }

    private static DicomDataset[] ReferencedSeries(SegmentationSource source)
    {
        var items = new List<DicomDataset>();
        foreach (var series in source.Frames.GroupBy(f => f.SeriesInstanceUid))
        {
            var item = new DicomDataset();
            var instances = new List<DicomDataset>();
            foreach (var instance in series.DistinctBy(f => f.SopInstanceUid))
            {
                var reference = new DicomDataset();
                reference.SetString(DicomTags.ReferencedSOPClassUID, instance.SopClassUid);
                reference.SetString(DicomTags.ReferencedSOPInstanceUID, instance.SopInstanceUid);
                instances.Add(reference);
            }
            item.SetSequence(DicomTags.ReferencedInstanceSequence, instances.ToArray());
            item.SetString(DicomTags.SeriesInstanceUID, series.Key);
            items.Add(item);
        }
        return items.ToArray();
    }
}
