using System.Net.Sockets;
using Zsad.Reporter.Cli;
using Zsad.Reporter.Export;
using Zsad.Reporter.Tests.Support;

namespace Zsad.Reporter.Tests.Export;

/// <summary>Delivery to a real PACS (a private Orthanc; run under `unshare -n`, as test.sh does): the SEG lands in
/// the source study; with the PACS down the export retries and dead-letters; `export --retry` then delivers all.</summary>
public class OrthancExportTests
{
    private static readonly ExportOptions Fast = new() { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(100), ConnectTimeout = TimeSpan.FromSeconds(2) };

    private static string Dest(OrthancPeer o) => $"{o.AETitle}@127.0.0.1:{o.DicomPort}";

    [Fact]
    public async Task Seg_IsAcceptedByOrthanc_AndListedUnderTheSourceStudy()
    {
        using var orthanc = new OrthancPeer();
        using var c = new SegCase();
        Assert.Equal(0, ReporterCommands.Export([c.SeriesDirectory], Dest(orthanc), c.File("dead"), retry: false, TextWriter.Null, Fast));
        var output = c.File("out/seg.dcm");
        Assert.Equal(0, ReporterCommands.Seg(c.SeriesDirectory, c.MapPath, "0.5", output, fractional: true, "test-detector", null, Dest(orthanc), c.File("dead"), TextWriter.Null));

        var seg = DicomFile.Open(output).Dataset;
        var studies = (await orthanc.GetAsync("studies?expand")).EnumerateArray().ToList();
        Assert.Single(studies);
        Assert.Equal(seg.GetString(DicomTags.StudyInstanceUID), studies[0].GetProperty("MainDicomTags").GetProperty("StudyInstanceUID").GetString());
        var modalities = new List<string>();
        foreach (var s in studies[0].GetProperty("Series").EnumerateArray())
        {
            var series = await orthanc.GetAsync($"series/{s.GetString()}");
            modalities.Add(series.GetProperty("MainDicomTags").GetProperty("Modality").GetString()!);
        }
        Assert.Equal(["MR", "SEG", "SR"], modalities.Order().ToArray());
        var instances = await orthanc.InstanceIdsAsync();
        var sops = new List<string>();
        foreach (var id in instances)
            sops.Add((await orthanc.SimplifiedTagsAsync(id))["SOPInstanceUID"].GetString()!);
        Assert.Contains(seg.GetString(DicomTags.SOPInstanceUID)!, sops);
        Assert.Empty(Directory.Exists(c.File("dead")) ? Directory.GetFiles(c.File("dead")) : []);
    }

    [Fact]
    public async Task PacsDown_RetriesAndDeadLetters_ThenRetryDeliversEverything()
    {
        using var orthanc = new OrthancPeer();
        using var c = new SegCase();
        var output = c.File("out/seg.dcm");
        Assert.Equal(0, ReporterCommands.Seg(c.SeriesDirectory, c.MapPath, "0.5", output, fractional: false, "test-detector", null, null, null, TextWriter.Null));
        var files = new[] { output, c.File("out/seg-summary.dcm") };
        var deadLetters = c.File("dead");

        Assert.Empty(await orthanc.InstanceIdsAsync());
        // A port nobody listens on: every association attempt is refused.
        var closedPort = FreePort();
        var console = new StringWriter();
        var started = DateTime.UtcNow;
        Assert.Equal(1, ReporterCommands.Export(files, $"ORTHANC@127.0.0.1:{closedPort}", deadLetters, retry: false, console, Fast));
        // Two retries with backoff 100 ms then 200 ms: the client waited before giving up.
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(300), console.ToString());
        var queue = new DeadLetterQueue(deadLetters);
        var (recordPath, record) = Assert.Single(queue.List());
        Assert.Equal(2, record.Files.Count);
        Assert.Equal(1, record.Attempts);
        Assert.Equal(closedPort, record.Destination.Port);
        Assert.False(string.IsNullOrEmpty(record.LastError));
        Assert.All(record.Files, f => Assert.True(File.Exists(f)));

        // Still down: the retry keeps the record, one attempt more.
        Assert.Equal(1, ReporterCommands.Export([], null, deadLetters, retry: true, TextWriter.Null, Fast));
        Assert.Equal(2, Assert.Single(queue.List()).Record.Attempts);

        // The PACS comes back on that address.
        using var back = new LoopbackForwarder(closedPort, orthanc.DicomPort);
        Assert.Equal(0, ReporterCommands.Export([], null, deadLetters, retry: true, TextWriter.Null, Fast));
        Assert.Empty(queue.List());
        Assert.False(File.Exists(recordPath));
        var sops = new List<string>();
        foreach (var id in await orthanc.InstanceIdsAsync())
            sops.Add((await orthanc.SimplifiedTagsAsync(id))["SOPInstanceUID"].GetString()!);
        foreach (var f in files)
            Assert.Contains(DicomFile.Open(f).Dataset.GetString(DicomTags.SOPInstanceUID)!, sops);
        Assert.Equal(files.Length, sops.Count);
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)s.LocalEndPoint!).Port;
    }
}
