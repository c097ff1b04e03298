using System.Globalization;
using System.Text.RegularExpressions;

namespace Zsad.Host.Replay;

/// <summary>`zsad replay --pacs`: which PACS, how to pull (C-GET, or C-MOVE to this process's listener), which series,
/// and the same detector/report settings as a folder replay.</summary>
public sealed record PacsReplayOptions
{
    public required string Pacs { get; init; }
    public required string Output { get; init; }
    public required string Detector { get; init; }
    public string? Normals { get; init; }
    /// <summary>Send SEGs with a detector that is not calibrated on the site's normals (Zsad:Inference:AllowUncalibrated).</summary>
    public bool AllowUncalibrated { get; init; }
    public string Threshold { get; init; } = "calibrated";
    /// <summary>Our AE title when calling the PACS (and the listener's for C-GET).</summary>
    public string CallingAE { get; init; } = "ZSAD";
    /// <summary>C-MOVE destination: the listener's AE title, which the PACS must know with <see cref="ListenerPort"/>; null = C-GET.</summary>
    public string? MoveTo { get; init; }
    /// <summary>The listener's port for C-MOVE (the PACS sends there).</summary>
    public int ListenerPort { get; init; } = 11112;
    public IReadOnlyList<string> Studies { get; init; } = [];
    public string? Modality { get; init; }
    public DateOnly? Since { get; init; }
    public DateOnly? Until { get; init; }
    /// <summary>.NET regular expression on SeriesDescription, applied to the C-FIND matches.</summary>
    public string? Description { get; init; }
    public bool Resume { get; init; }
    /// <summary>AE@host:port the SEG and summary SR are sent to (e.g. back to the PACS); null = the PACS folder under OUT.</summary>
    public string? Destination { get; init; }
    /// <summary>Series retrieved but not yet reported, at most (retrieval waits beyond it).</summary>
    public int MaxPending { get; init; } = 2;
    /// <summary>Retrieves of one series after the first fails on the network (dropped association, timeout).</summary>
    public int RetrieveRetries { get; init; } = 3;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Longest wait for one series' report after its retrieve.</summary>
    public TimeSpan SeriesTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Parses YYYYMMDD (the form DICOM dates take).</summary>
    public static DateOnly ParseDate(string option, string text)
        => DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw new ArgumentException($"{option} '{text}' is not a date YYYYMMDD");

    /// <summary>Every setting checked up front, each failure one line naming the option.</summary>
    public void Validate()
    {
        _ = Reporter.Export.ExportDestination.Parse(Pacs);
        foreach (var (option, ae) in new[] { ("--aet", CallingAE), ("--move-to", MoveTo) })
            if (ae is not null && (string.IsNullOrWhiteSpace(ae) || ae.Trim().Length > 16 || ae.Any(c => c is < ' ' or > '~' or '\\')))
                throw new ArgumentException($"{option} '{ae}' is not an AE title (1-16 printable characters, no backslash)");
        if (Since is { } s && Until is { } u && s > u)
            throw new ArgumentException($"--since {s:yyyyMMdd} is after --until {u:yyyyMMdd}");
        foreach (var uid in Studies)
            if (!Zsad.Dicom.DicomUid.IsValid(uid))
                throw new ArgumentException($"--study '{uid}' is not a valid UID");
        if (Modality is { } m && !Regex.IsMatch(m, "^[A-Z0-9 _]{1,16}$"))
            throw new ArgumentException($"--modality '{m}' is not a DICOM modality code (e.g. MR)");
        if (Description is { } d)
        {
            try
            {
                _ = new Regex(d);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"--description '{d}' is not a regular expression: {ex.Message}");
            }
        }
        if (Destination is { Length: > 0 } dest)
            _ = Reporter.Export.ExportDestination.Parse(dest);
        if (MoveTo is not null && ListenerPort is < 1 or > 65535)
            throw new ArgumentException($"--port {ListenerPort} is not a TCP port");
        if (MaxPending < 1)
            throw new ArgumentException("MaxPending must be at least 1");
    }
}
