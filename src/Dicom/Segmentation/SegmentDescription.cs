namespace Zsad.Dicom.Segmentation;

/// <summary>What one segment is: the attributes of its SegmentSequence item (PS3.3 C.8.20.4).</summary>
public sealed record SegmentDescription
{
    /// <summary>SegmentLabel (LO, Type 1): what viewers show next to the overlay.</summary>
    public required string Label { get; init; }

    /// <summary>SegmentAlgorithmName and AlgorithmName: the detector, e.g. "AnomalyCLIP".</summary>
    public required string AlgorithmName { get; init; }

    /// <summary>AlgorithmVersion (LO, Type 1 in the algorithm identification item).</summary>
    public string AlgorithmVersion { get; init; } = "1";

    /// <summary>AlgorithmParameters (LT, Type 3): the settings that produced the segment, e.g. the threshold.</summary>
    public string? AlgorithmParameters { get; init; }

    public CodedConcept Category { get; init; } = CodedConcept.MorphologicallyAbnormalStructure;

    public CodedConcept Type { get; init; } = CodedConcept.Lesion;

    /// <summary>AnatomicRegionSequence; null leaves it out.</summary>
    public CodedConcept? AnatomicRegion { get; init; } = CodedConcept.Brain;

    public CieLabColor Color { get; init; } = CieLabColor.Red;

    /// <summary>SegmentDescription (ST, Type 3); null leaves it out.</summary>
    public string? Description { get; init; }
}
