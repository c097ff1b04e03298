using System.Globalization;
using Zsad.Dicom;
using Zsad.Imaging.Nifti;
using Zsad.Reporter.Evaluation;
using Zsad.Reporter.Export;
using Zsad.Reporter.Segmentation;
using Zsad.Reporter.Summary;

namespace Zsad.Reporter.Cli;

/// <summary>The handlers of `zsad seg`, `zsad evaluate` and `zsad export`: argument parsing stays in the CLI, the
/// work stays in the domain classes; each returns the process exit code.</summary>
public static class ReporterCommands
{
    /// <summary>Where dead letters go when no folder is named: $ZSAD_DEAD_LETTER_DIR, else the user's local state.</summary>
    public static string DefaultDeadLetterDirectory
        => Environment.GetEnvironmentVariable("ZSAD_DEAD_LETTER_DIR") is { Length: > 0 } d ? d
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "zsad", "dead-letter");

    /// <summary>`zsad seg`: writes the BINARY SEG to <paramref name="output"/> (durably, before anything is sent),
    /// the FRACTIONAL one to OUT-fractional.dcm when asked, the metric summary SR to OUT-summary.dcm, then, with
    /// destinations, exports them all (dead letter on failure).</summary>
    /// <param name="threshold">A number, "calibrated" (0.5, the decision level of Zsad's detectors) or
    /// "f1max:PRED_DIR:TRUTH_DIR"; null means calibrated.</param>
    /// <param name="minSize">Minimum component size: "N" voxels or "Nmm3".</param>
    /// <param name="destinations">Comma-separated AE@host:port list to C-STORE to; null for none.</param>
    public static int Seg(string source, string map, string? threshold, string output, bool fractional, string? detector, string? minSize,
        string? destinations, string? deadLetter, TextWriter console)
    {
        var options = new MapSegmentationOptions
        {
            Threshold = threshold is null ? SegmentationThreshold.Calibrated() : SegmentationThreshold.Parse(threshold),
            DetectorName = string.IsNullOrWhiteSpace(detector) ? "zsad" : detector,
            MinimumSize = minSize is null ? MinimumComponentSize.None : MinimumComponentSize.Parse(minSize),
            Fractional = fractional,
        };
        var series = SourceSeries.Read(source);
        var volume = NiftiReader.Read(map).ToSingle();
        var result = MapSegmenter.Create(series, volume, options);

        var written = new List<string>();
        new DicomFile(result.Binary, TransferSyntax.ExplicitVRLittleEndian).Save(output);
        written.Add(output);
        if (result.Fractional is not null)
        {
            var path = Sibling(output, "-fractional.dcm");
            new DicomFile(result.Fractional, TransferSyntax.ExplicitVRLittleEndian).Save(path);
            written.Add(path);
        }
        var sourceImages = series.Volume.Slices.Select(s => s.SopInstanceUid).Distinct().Select(uid => series.Instances[uid]).ToList();
        var summary = MetricSummaryReport.Create(sourceImages[0], result.Binary.GetRequiredString(DicomTags.SeriesInstanceUID),
            "Zsad anomaly segmentation summary", SegmentationFindings(result, options), [result.Binary, .. sourceImages]);
        var summaryPath = Sibling(output, "-summary.dcm");
        new DicomFile(summary, TransferSyntax.ExplicitVRLittleEndian).Save(summaryPath);
        written.Add(summaryPath);

        console.WriteLine(FormattableString.Invariant(
            $"SEG {output}: {result.SegmentedVoxels} voxels ({result.SegmentedVolumeMm3:0.#} mm3) in {result.Components} component(s), {result.ComponentsRemoved} removed below {options.MinimumSize}; threshold {options.Threshold}"));
        console.WriteLine($"series {result.Binary.GetString(DicomTags.SeriesInstanceUID)}; also wrote {string.Join(", ", written.Skip(1))}");
        return destinations is null ? 0 : Export(written, destinations, deadLetter, retry: false, console);
    }

    /// <summary>`zsad evaluate`: metrics.json, CSV tables, figures and index.html in <paramref name="output"/>.</summary>
    public static int Evaluate(string predictions, string truth, string output, string? threshold, TextWriter console)
    {
        var t = threshold is null ? SegmentationThreshold.CalibratedDecisionLevel
            : float.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) ? v
            : throw new ArgumentException($"--threshold '{threshold}' is not a number");
        var summary = EvaluationRunner.Run(predictions, truth, t);
        EvaluationReport.Write(summary, t, output);
        console.Write(EvaluationReport.TextSummary(summary, t));
        console.WriteLine($"report: {Path.Combine(output, EvaluationReport.HtmlFile)}");
        return 0;
    }

    /// <summary>`zsad export FILE... --dest AE@host:port[,...]` sends files; `zsad export --retry` replays the dead letters.
    /// Exit code 1 when something is left undelivered (it is in the dead-letter folder).</summary>
    public static int Export(IReadOnlyList<string> files, string? destinations, string? deadLetter, bool retry, TextWriter console,
        ExportOptions? options = null)
    {
        var exporter = new DicomExporter(new DeadLetterQueue(deadLetter ?? DefaultDeadLetterDirectory), options);
        IReadOnlyList<ExportOutcome> outcomes;
        if (retry)
        {
            outcomes = exporter.RetryDeadLettersAsync().GetAwaiter().GetResult();
            if (outcomes.Count == 0)
                console.WriteLine($"no dead letters in {exporter.DeadLetters.Directory}");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(destinations))
                throw new ArgumentException("export: no destination (--dest AE@host:port[,AE@host:port...])");
            if (files.Count == 0)
                throw new ArgumentException("export: no file to send");
            var list = destinations.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ExportDestination.Parse).ToList();
            outcomes = exporter.ExportAsync(Zsad.Dicom.Network.DicomClient.ExpandPaths(files).ToList(), list).GetAwaiter().GetResult();
        }
        foreach (var o in outcomes)
            console.WriteLine(o);
        return outcomes.All(o => o.Delivered) ? 0 : 1;
    }

    private static IReadOnlyList<SummaryFinding> SegmentationFindings(MapSegmentationResult r, MapSegmentationOptions o) =>
    [
        new("Detector", $"{o.DetectorName} {o.DetectorVersion}"),
        new("Threshold", o.Threshold.ToString()),
        new("Minimum component size", o.MinimumSize.IsNone ? "none" : o.MinimumSize.ToString()),
        new("Segmented voxels", r.SegmentedVoxels.ToString(CultureInfo.InvariantCulture)),
        new("Segmented volume", r.SegmentedVolumeMm3.ToString("0.#", CultureInfo.InvariantCulture) + " mm3"),
        new("Connected components", $"{r.Components} kept, {r.ComponentsRemoved} removed"),
        new("Maximum anomaly score", r.MaximumScore.ToString("0.####", CultureInfo.InvariantCulture)),
    ];

    private static string Sibling(string path, string suffix)
    {
        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full);
        var stem = name.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
        return Path.Combine(Path.GetDirectoryName(full)!, stem + suffix);
    }
}
