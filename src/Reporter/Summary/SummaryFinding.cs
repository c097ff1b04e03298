namespace Zsad.Reporter.Summary;

/// <summary>One line of a metric summary: what was measured and its value as text, e.g. ("Segmented volume", "1234.5 mm3").</summary>
public sealed record SummaryFinding(string Name, string Value);
