namespace Zsad.Reporter.Export;

/// <summary>The result of one delivery round to one destination.</summary>
/// <param name="DeadLetter">The record written (or kept) for what was not delivered; null when all was.</param>
public sealed record ExportOutcome(ExportDestination Destination, int Stored, int Failed, string? LastError, string? DeadLetter)
{
    public bool Delivered => Failed == 0;

    public override string ToString()
        => Delivered ? $"{Destination}: {Stored} stored" : $"{Destination}: {Stored} stored, {Failed} FAILED ({LastError}); dead letter {DeadLetter}";
}
