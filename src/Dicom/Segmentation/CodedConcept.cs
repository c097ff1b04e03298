namespace Zsad.Dicom.Segmentation;

/// <summary>A coded entry (PS3.3 Table 8.8-1 basic code sequence macro): code value, coding scheme designator and meaning.</summary>
public sealed record CodedConcept(string Value, string Scheme, string Meaning)
{
    /// <summary>SCT 49755003: the default segmented property category for an anomaly map.</summary>
    public static CodedConcept MorphologicallyAbnormalStructure { get; } = new("49755003", "SCT", "Morphologically Abnormal Structure");

    public static CodedConcept Lesion { get; } = new("52988006", "SCT", "Lesion");
    public static CodedConcept LesionOfBrain { get; } = new("301766008", "SCT", "Lesion of Brain");
    public static CodedConcept Neoplasm { get; } = new("108369006", "SCT", "Neoplasm");
    public static CodedConcept Brain { get; } = new("12738006", "SCT", "Brain");

    public static CodedConcept ArtificialIntelligence { get; } = new("123110", "DCM", "Artificial Intelligence");
    public static CodedConcept Segmentation { get; } = new("113076", "DCM", "Segmentation");
    public static CodedConcept SourceImageForImageProcessingOperation { get; } = new("121322", "DCM", "Source image for image processing operation");

    /// <summary>The concept as one item of a code sequence.</summary>
    public DicomDataset ToItem()
    {
        var item = new DicomDataset();
        item.SetString(DicomTags.CodeValue, Value);
        item.SetString(DicomTags.CodingSchemeDesignator, Scheme);
        item.SetString(DicomTags.CodeMeaning, Meaning);
        return item;
    }

    /// <summary>Reads the first item of a code sequence; null when the sequence is absent or empty.</summary>
    public static CodedConcept? FromSequence(DicomDataset dataset, DicomTag sequence)
    {
        var items = dataset.GetItems(sequence);
        if (items.Count == 0)
            return null;
        var item = items[0];
        return new CodedConcept(item.GetString(DicomTags.CodeValue) ?? "", item.GetString(DicomTags.CodingSchemeDesignator) ?? "",
            item.GetString(DicomTags.CodeMeaning) ?? "");
    }

    public override string ToString() => $"({Value}, {Scheme}, \"{Meaning}\")";
}
