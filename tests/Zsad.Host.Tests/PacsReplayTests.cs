using System.Globalization;
using System.Text.Json;
using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Host.Replay;
using Zsad.Host.Tests.Support;
using Zsad.Listener;

namespace Zsad.Host.Tests;

/// <summary>`zsad replay --pacs` against real archives: Orthanc 1.10 (loaded over C-STORE) queried by C-FIND and pulled
/// by C-GET or C-MOVE into the live pipeline, a run manifest, --resume past finished series, a PACS that drops the
/// association mid-retrieve (the series is retried and reported once), and the one-line errors for an unknown AE and
/// an unknown move destination (dcmqrscp's A801).</summary>
public class PacsReplayTests
{
    private const string Detector = "intensity-baseline"; // the fastest built-in: the retrieve path is under test here
    private const string Me = "ZSADREPLAY";

    private static Peers.Result Replay(params string[] args)
        => Peers.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "zsad.dll"), "replay", .. args, "--detector", Detector, "--normals", "phantom", "--allow-uncalibrated"],
            TimeSpan.FromSeconds(240));

    /// <summary>The one error line: stderr also carries the service's log (written by a background logger, so in any order).</summary>
    private static string ErrorLine(string text) => Assert.Single(text.Split('\n'), l => l.StartsWith("zsad replay: ", StringComparison.Ordinal)).TrimEnd('\r');

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, object> KnowsMe(int port = 104)
        => new() { ["DicomModalities"] = new Dictionary<string, object> { ["zsad"] = OrthancPeer.Modality(Me, port) } };

    /// <summary>Two MR series of the synthetic study kind, plus a localizer that --description leaves out, stored in the PACS.</summary>
    private static async Task<List<SyntheticSeries>> LoadAsync(int pacsPort, string calledAE, TempDir dir)
    {
        var series = new List<SyntheticSeries> { SyntheticSeries.Write(dir.Path, "PACS-A", seed: 31), SyntheticSeries.Write(dir.Path, "PACS-B", seed: 32) };
        var localizer = SyntheticSeries.Write(dir.Path, "PACS-LOC", seed: 33, slices: 8);
        foreach (var file in Directory.EnumerateFiles(localizer.SourceDirectory))
        {
            var f = DicomFile.Open(file);
            f.Dataset.SetString(DicomTags.SeriesDescription, "localizer");
            f.Save(file);
        }
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = pacsPort, CalledAE = calledAE, CallingAE = "LOADER", MaxRetries = 0 });
        var stored = await client.StoreFilesAsync([Path.Combine(dir.Path, "source")]);
        Assert.All(stored, r => Assert.True(r.IsStored, r.ToString()));
        return series;
    }

    private static ReplayManifest Manifest(string output)
        => ReplayManifest.Load(output)!;

    private static int SegCount(string output)
        => Directory.Exists(Path.Combine(output, ".zsad", "pacs"))
            ? Directory.EnumerateFiles(Path.Combine(output, ".zsad", "pacs"), "*.dcm", SearchOption.AllDirectories)
                .Count(p => DicomFile.Open(p).Dataset.GetString(DicomTags.Modality) == "SEG")
            : 0;

    [Fact]
    public async Task Get_FromOrthanc_ReportsEachSeries_WritesManifest_AndResumes()
    {
        using var orthanc = new OrthancPeer(KnowsMe());
        using var dir = new TempDir();
        var series = await LoadAsync(orthanc.DicomPort, orthanc.AETitle, dir);
        var output = dir.File("report");
        var pacs = $"{orthanc.AETitle}@127.0.0.1:{Port(orthanc.DicomPort)}";
        var today = DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

        var first = Replay("--pacs", pacs, "--aet", Me, "--get", "--modality", "MR", "--since", "20000101", "--until", today,
            "--description", "^synthetic", "--out", output).EnsureSuccess("zsad replay --pacs");
        Assert.Contains("replay from " + pacs + " (C-GET): 2 series, 0 finished before, 2 to pull", first.StdOut);
        Assert.Contains("] 1/2 ", first.StdOut);
        Assert.Contains("| ETA ", first.StdOut);
        Assert.Contains("[##############################] 2/2 ", first.StdOut);
        Assert.Contains("replay: 2 series, 2 processed, 0 done before, 0 failed", first.StdOut);

        var manifest = Manifest(output);
        Assert.Equal("C-GET", manifest.Retrieve);
        Assert.Equal(series.Select(s => s.SeriesInstanceUid).Order(), manifest.Series.Select(s => s.SeriesInstanceUid).Order());
        foreach (var s in manifest.Series)
        {
            Assert.Equal(ReplaySeriesState.Done, s.State);
            Assert.Equal(16, s.Instances);
            Assert.Equal(1, s.Attempts);
            Assert.True(File.Exists(s.Result), s.Result);
            Assert.True(File.Exists(Path.Combine(output, "masks", s.SeriesInstanceUid + ".nii.gz")));
        }
        // The live path's outputs: one SEG per series, in the study of its source.
        Assert.Equal(2, SegCount(output));

        // Again without --resume: refused, one line. With it: nothing pulled again.
        var refused = Replay("--pacs", pacs, "--aet", Me, "--get", "--out", output);
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"zsad replay: {output} holds the manifest of an earlier replay: add --resume to continue it, or choose another --out", ErrorLine(refused.StdErr));
        var again = Replay("--pacs", pacs, "--aet", Me, "--get", "--modality", "MR", "--description", "^synthetic", "--out", output, "--resume")
            .EnsureSuccess("zsad replay --pacs --resume");
        Assert.Contains("replay: 2 series, 0 processed, 2 done before, 0 failed", again.StdOut);
        Assert.All(Manifest(output).Series, s => Assert.Equal(1, s.Attempts));
        Assert.Equal(2, SegCount(output));
    }

    [Fact]
    public async Task Get_AssociationDroppedMidRetrieve_SeriesRetried_ReportedOnce()
    {
        using var orthanc = new OrthancPeer(KnowsMe());
        using var dir = new TempDir();
        var series = await LoadAsync(orthanc.DicomPort, orthanc.AETitle, dir);
        // C-FIND answers stay far below 40 kB; a 16-slice series is well above it: the first C-GET is cut mid-way.
        await using var proxy = new DroppingProxy(orthanc.DicomPort, dropAfterBytes: 40_000);
        var output = dir.File("report");
        var run = Replay("--pacs", $"{orthanc.AETitle}@127.0.0.1:{Port(proxy.Port)}", "--aet", Me, "--study", series[0].StudyInstanceUid,
            "--description", "^synthetic", "--out", output).EnsureSuccess("zsad replay through a dropping PACS");
        Assert.Equal(1, proxy.Drops);
        Assert.Contains($"{series[0].SeriesInstanceUid}: retrieve broke off", run.StdOut);
        Assert.Contains("replay: 1 series, 1 processed, 0 done before, 0 failed", run.StdOut);
        var entry = Assert.Single(Manifest(output).Series);
        Assert.Equal(2, entry.Attempts);
        Assert.Equal(16, entry.Instances);
        Assert.Equal(ReplaySeriesState.Done, entry.State);
        // One report: one case folder (no second generation), one SEG.
        Assert.Equal([series[0].SeriesInstanceUid], Directory.EnumerateDirectories(Path.Combine(output, "cases")).Select(Path.GetFileName));
        Assert.Equal(1, SegCount(output));
    }

    [Fact]
    public async Task Move_FromOrthanc_ToTheReplayListener()
    {
        var listenerPort = Peers.FreePort();
        using var orthanc = new OrthancPeer(new Dictionary<string, object>
        {
            ["DicomModalities"] = new Dictionary<string, object> { ["zsad"] = OrthancPeer.Modality(Me, listenerPort) },
        });
        using var dir = new TempDir();
        var series = await LoadAsync(orthanc.DicomPort, orthanc.AETitle, dir);
        var output = dir.File("report");
        var run = Replay("--pacs", $"{orthanc.AETitle}@127.0.0.1:{Port(orthanc.DicomPort)}", "--aet", Me, "--move-to", Me, "--port", Port(listenerPort),
            "--study", series[1].StudyInstanceUid, "--out", output).EnsureSuccess("zsad replay --move-to");
        Assert.Contains($"(C-MOVE to {Me}): 1 series, 0 finished before, 1 to pull", run.StdOut);
        var entry = Assert.Single(Manifest(output).Series);
        Assert.Equal(series[1].SeriesInstanceUid, entry.SeriesInstanceUid);
        Assert.Equal(ReplaySeriesState.Done, entry.State);
        Assert.Equal(16, entry.Instances);
        Assert.Equal(1, SegCount(output));
    }

    [Theory]
    [InlineData("--since", "20261301", "zsad replay: --since '20261301' is not a date YYYYMMDD")]
    [InlineData("--description", "(", "zsad replay: --description '(' is not a regular expression: Invalid pattern '(' at offset 1. Not enough )'s.")]
    [InlineData("--study", "1.2.03", "zsad replay: --study '1.2.03' is not a valid UID")]
    [InlineData("--move-to", "A-VERY-LONG-AE-TITLE", "zsad replay: --move-to 'A-VERY-LONG-AE-TITLE' is not an AE title (1-16 printable characters, no backslash)")]
    public void BadOption_OneLine(string option, string value, string line)
    {
        using var dir = new TempDir();
        var run = Replay("--pacs", "PACS@127.0.0.1:104", option, value, "--out", dir.File("report"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(line, ErrorLine(run.StdErr));
    }

    [Fact]
    public void UnknownCalledAE_OneLineAssociateReject()
    {
        using var orthanc = new OrthancPeer(KnowsMe());
        using var dir = new TempDir();
        var run = Replay("--pacs", $"NOT-ORTHANC@127.0.0.1:{Port(orthanc.DicomPort)}", "--aet", Me, "--out", dir.File("report"));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"zsad replay: NOT-ORTHANC@127.0.0.1:{Port(orthanc.DicomPort)} rejected the association (A-ASSOCIATE-RJ permanent, source 1, reason 7: called AE title not recognised)",
            ErrorLine(run.StdErr));
    }

    /// <summary>A series holding an object of a class Zsad does not take (an RT Image among the MR slices): the PACS
    /// cannot send it over C-GET, answers B000 listing it, and the series ends PARTIAL with that UID, unprocessed.</summary>
    [Fact]
    public void PartialRetrieve_SeriesEndsPartial_WithTheFailedInstanceListed()
    {
        using var dcmqr = new DcmqrscpPeer();
        using var dir = new TempDir();
        var series = SyntheticSeries.Write(dir.Path, "PACS-PART", seed: 42, slices: 8);
        var odd = DicomFile.Open(Directory.EnumerateFiles(series.SourceDirectory).First());
        var oddUid = DicomUid.Generate();
        odd.Dataset.SetString(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.481.1"); // RT Image Storage
        odd.Dataset.SetString(DicomTags.SOPInstanceUID, oddUid);
        new DicomFile(odd.Dataset, TransferSyntax.ExplicitVRLittleEndian).Save(Path.Combine(series.SourceDirectory, "rtimage.dcm"));
        dcmqr.Load(series.SourceDirectory);
        var output = dir.File("report");
        var run = Replay("--pacs", $"{dcmqr.AETitle}@127.0.0.1:{Port(dcmqr.Port)}", "--aet", Me, "--get", "--out", output);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"PARTIAL: partial retrieve (status B000): 1 of 9 failed: {oddUid}", run.StdOut);
        Assert.Contains("replay: 1 series, 0 processed, 0 done before, 1 failed", run.StdOut);
        var entry = Assert.Single(Manifest(output).Series);
        Assert.Equal(ReplaySeriesState.Partial, entry.State);
        Assert.Equal([oddUid], entry.FailedInstances);
        Assert.Equal(0, SegCount(output));
    }

    [Fact]
    public async Task MoveDestinationUnknownToThePacs_OneLineA801()
    {
        using var dcmqr = new DcmqrscpPeer();
        using var dir = new TempDir();
        var series = SyntheticSeries.Write(dir.Path, "PACS-QR", seed: 41, slices: 8);
        dcmqr.Load(series.SourceDirectory);
        await Task.CompletedTask;
        var run = Replay("--pacs", $"{dcmqr.AETitle}@127.0.0.1:{Port(dcmqr.Port)}", "--aet", Me, "--move-to", "NOBODY", "--port", Port(Peers.FreePort()),
            "--out", dir.File("report"));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("zsad replay: C-MOVE to 'NOBODY' refused by DCMQR: move destination 'NOBODY' is unknown to DCMQR (status A801)", ErrorLine(run.StdErr));
    }
}
