using Zsad.Dicom;

namespace Zsad.Reporter.Summary;

/// <summary>Builds the metric summary that travels back to the PACS next to the SEG, as a Basic Text SR
/// (1.2.840.10008.5.1.4.1.1.88.11).</summary>
/// <remarks>Why Basic Text SR: every PACS stores it and every viewer shows its text, it is small, it lives in the
/// source study with patient and study copied, and it can reference the SEG and the source images as evidence. An
/// encapsulated PDF would need a PDF renderer and its numbers could not be read by software; a Comprehensive SR
/// with NUM items is only worth it with the TID 1500 measurement template, whose codes for anomaly-map metrics
/// (threshold, Dice against a truth) do not exist, so its numbers would be as free-form as text, at far more
/// conformance risk.</remarks>
public static class MetricSummaryReport
{
    public const string BasicTextSrStorage = "1.2.840.10008.5.1.4.1.1.88.11";

    private static readonly DicomTag[] CopiedFromSource =
    [
        DicomTags.SpecificCharacterSet, DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber,
        DicomTags.ReferringPhysicianName, DicomTags.StudyDescription, DicomTags.PatientName, DicomTags.PatientID,
        DicomTags.IssuerOfPatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex, DicomTags.PatientAge,
        DicomTags.StudyInstanceUID, DicomTags.StudyID,
    ];

    /// <summary>Patient and study module attributes of Type 2: present, possibly empty.</summary>
    private static readonly DicomTag[] Type2 =
    [
        DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber, DicomTags.ReferringPhysicianName,
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex, DicomTags.StudyID,
    ];

    /// <summary>The SR for one source series and detector run. Its UIDs derive from the SEG series UID, so a
    /// redelivered message replaces the summary rather than adding a second one.</summary>
    /// <param name="source">A source image: patient and study are copied from it.</param>
    /// <param name="evidence">Objects the summary is about (the SEG, the source images), listed as evidence.</param>
    public static DicomDataset Create(DicomDataset source, string segSeriesInstanceUid, string title, IReadOnlyList<SummaryFinding> findings,
        IReadOnlyList<DicomDataset> evidence, DateTimeOffset? when = null, string manufacturer = "Zsad")
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(segSeriesInstanceUid);
        var now = when ?? DateTimeOffset.Now;
        var seriesUid = DicomUid.FromName($"zsad/sr/series|{segSeriesInstanceUid}");
        var ds = new DicomDataset();
        foreach (var tag in CopiedFromSource)
        {
            if (source[tag] is DicomElement element)
                ds.Set(element);
            else if (Type2.Contains(tag))
                ds.SetString(tag, "");
        }
        if (string.IsNullOrEmpty(ds.GetString(DicomTags.StudyInstanceUID)))
            throw new ArgumentException("the source has no StudyInstanceUID: the summary belongs to its source's study");

        ds.SetString(DicomTags.SOPClassUID, BasicTextSrStorage);
        ds.SetString(DicomTags.SOPInstanceUID, DicomUid.FromName($"zsad/sr/instance|{seriesUid}|1"));
        ds.SetDate(DicomTags.InstanceCreationDate, DateOnly.FromDateTime(now.DateTime));
        ds.SetTime(DicomTags.InstanceCreationTime, TimeOnly.FromDateTime(now.DateTime));

        // SR document series, general equipment
        ds.SetString(DicomTags.Modality, "SR");
        ds.SetString(DicomTags.SeriesInstanceUID, seriesUid);
        ds.SetNumbers(DicomTags.SeriesNumber, 902);
        ds.SetString(DicomTags.SeriesDescription, "Zsad metric summary");
        ds.SetSequence(DicomTags.ReferencedPerformedProcedureStepSequence);
        ds.SetString(DicomTags.Manufacturer, manufacturer);

        // SR document general
        ds.SetNumbers(DicomTags.InstanceNumber, 1);
        ds.SetString(DicomTags.CompletionFlag, "COMPLETE");
        ds.SetString(DicomTags.VerificationFlag, "UNVERIFIED");
        ds.SetDate(DicomTags.ContentDate, DateOnly.FromDateTime(now.DateTime));
        ds.SetTime(DicomTags.ContentTime, TimeOnly.FromDateTime(now.DateTime));
        ds.SetSequence(DicomTags.PerformedProcedureCodeSequence);
        if (evidence.Count > 0)
            ds.SetSequence(DicomTags.CurrentRequestedProcedureEvidenceSequence, Evidence(evidence));

        // SR document content: a root CONTAINER holding one TEXT finding per line
        ds.SetString(DicomTags.ValueType, "CONTAINER");
        ds.SetSequence(DicomTags.ConceptNameCodeSequence, Code("18748-4", "LN", "Diagnostic Imaging Report"));
        ds.SetString(DicomTags.ContinuityOfContent, "SEPARATE");
        var items = new List<DicomDataset>();
        items.Add(Text(title));
        foreach (var f in findings)
            items.Add(Text($"{f.Name}: {f.Value}"));
        ds.SetSequence(DicomTags.ContentSequence, items.ToArray());
        return ds;
    }

    private static DicomDataset Text(string value)
    {
        var item = new DicomDataset();
        item.SetString(DicomTags.RelationshipType, "CONTAINS");
        item.SetString(DicomTags.ValueType, "TEXT");
        item.SetSequence(DicomTags.ConceptNameCodeSequence, Code("121071", "DCM", "Finding"));
        item.SetString(DicomTags.TextValue, value);
        return item;
    }

    private static DicomDataset Code(string value, string scheme, string meaning)
    {
        var item = new DicomDataset();
        item.SetString(DicomTags.CodeValue, value);
        item.SetString(DicomTags.CodingSchemeDesignator, scheme);
        item.SetString(DicomTags.CodeMeaning, meaning);
        return item;
    }

    /// <summary>Hierarchical SOP instance references, grouped by study and series.</summary>
    private static DicomDataset[] Evidence(IReadOnlyList<DicomDataset> objects)
    {
        return objects.GroupBy(o => o.GetRequiredString(DicomTags.StudyInstanceUID)).Select(study =>
        {
            var studyItem = new DicomDataset();
            studyItem.SetString(DicomTags.StudyInstanceUID, study.Key);
            studyItem.SetSequence(DicomTags.ReferencedSeriesSequence, study.GroupBy(o => o.GetRequiredString(DicomTags.SeriesInstanceUID)).Select(series =>
            {
                var seriesItem = new DicomDataset();
                seriesItem.SetString(DicomTags.SeriesInstanceUID, series.Key);
                seriesItem.SetSequence(DicomTags.ReferencedSOPSequence, series.Select(o =>
                {
                    var sop = new DicomDataset();
                    sop.SetString(DicomTags.ReferencedSOPClassUID, o.GetRequiredString(DicomTags.SOPClassUID));
                    sop.SetString(DicomTags.ReferencedSOPInstanceUID, o.GetRequiredString(DicomTags.SOPInstanceUID));
                    return sop;
                }).ToArray());
                return seriesItem;
            }).ToArray());
            return studyItem;
        }).ToArray();
    }
}
