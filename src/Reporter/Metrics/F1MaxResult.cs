namespace Zsad.Reporter.Metrics;

/// <summary>The best F1 over all thresholds and the score threshold (predict where score &gt;= threshold) that reaches it.</summary>
public readonly record struct F1MaxResult(double F1, float Threshold);
