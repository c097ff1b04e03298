namespace Zsad.Reliability.Tests.Corpus;

/// <summary>One malformed input of the committed corpus and the exact error it must raise. <see cref="Kind"/> is
/// "file" (DicomFile.Read raises <see cref="Exception"/> with <see cref="Message"/> and <see cref="Offset"/>),
/// "series" (DicomSeriesReader raises DicomSeriesException with <see cref="Problem"/>; <see cref="Files"/> are read
/// together) or "pdu" (sent to a live SCP, which answers <see cref="Response"/>; <see cref="AfterAssociation"/>
/// says whether a valid association is negotiated first).</summary>
public sealed record CorpusEntry
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required string Wrong { get; init; }
    public IReadOnlyList<string> Files { get; init; } = [];
    public string? Exception { get; init; }
    public string? Message { get; init; }
    public long? Offset { get; init; }
    public string? Problem { get; init; }
    public string? Response { get; init; }
    public bool AfterAssociation { get; init; }
}
