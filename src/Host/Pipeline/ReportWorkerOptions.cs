using Zsad.Reporter.Export;
using Zsad.Reporter.Segmentation;

namespace Zsad.Host.Pipeline;

/// <summary>What the Reporter needs to know, already validated (see <see cref="Configuration.ZsadOptions"/>).</summary>
public sealed record ReportWorkerOptions
{
    /// <summary>maps/, masks/ and cases/&lt;name&gt;/ go here.</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>The Listener's intake store (shared folder when roles run apart): the source instances of a SEG.</summary>
    public required string IntakeDirectory { get; init; }
    /// <summary>Used when <see cref="Destination"/> is null: a file-system "PACS", study/series/instance.dcm.</summary>
    public required string PacsDirectory { get; init; }
    public required string DeadLetterDirectory { get; init; }
    public ExportDestination? Destination { get; init; }
    public SegmentationThreshold Threshold { get; init; } = SegmentationThreshold.Calibrated();
    public string? GroundTruthDirectory { get; init; }
    public ExportOptions? Export { get; init; }
}
