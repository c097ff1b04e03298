using System.Text.Json;
using Zsad.Dicom.IO;
using Zsad.Listener;

namespace Zsad.Host.Replay;

/// <summary>The run manifest of a PACS replay (OUT/replay-manifest.json): what was asked, every series found and how
/// it ended. Rewritten (atomically) after each change, so an interrupted run leaves an exact account and
/// <c>--resume</c> knows what is finished.</summary>
public sealed class ReplayManifest
{
    public const string FileName = "replay-manifest.json";

    public string Pacs { get; set; } = "";
    public string Retrieve { get; set; } = "";
    public string Detector { get; set; } = "";
    public string Query { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Runs { get; set; }
    public List<ReplaySeries> Series { get; set; } = [];

    public static string PathIn(string output) => Path.Combine(output, FileName);

    public static ReplayManifest? Load(string output)
    {
        var path = PathIn(output);
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), HostJsonContext.Default.ReplayManifest)
                ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not a replay manifest: {ex.Message}");
        }
    }

    public void Save(string output)
    {
        lock (this)
        {
            UpdatedAt = DateTimeOffset.UtcNow;
            DurableFile.Write(PathIn(output), JsonSerializer.SerializeToUtf8Bytes(this, HostJsonContext.Default.ReplayManifest));
        }
    }
}

/// <summary>States a series goes through; Done, Filtered are final, the others are retried by --resume.</summary>
public enum ReplaySeriesState
{
    Pending,
    Retrieving,
    Processing,
    Done,
    Filtered,
    Partial,
    Failed,
}

public sealed class ReplaySeries
{
    public string StudyInstanceUid { get; set; } = "";
    public string SeriesInstanceUid { get; set; } = "";
    public string? Modality { get; set; }
    public string? Description { get; set; }
    public int? ExpectedInstances { get; set; }
    public ReplaySeriesState State { get; set; }
    public int Attempts { get; set; }
    public int Instances { get; set; }
    public string? VolumeId { get; set; }
    public string? Result { get; set; }
    public double? Dice { get; set; }
    public string? Error { get; set; }
    public List<string> FailedInstances { get; set; } = [];
    public double? Seconds { get; set; }

    public bool IsFinished => State is ReplaySeriesState.Done or ReplaySeriesState.Filtered;
}
