using System.Text.Json;
using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Viewer.Tests.Support;
using Xunit.Abstractions;

namespace Zsad.Viewer.Tests;

/// <summary>The radiologist's view: Zsad sends a study and its SEG to Orthanc, OHIF opens the study over DICOMweb
/// in a real (headless) Chromium and shows the SEG over the MR series with Zsad's segment label.</summary>
public sealed class OhifBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BrowserTimeout = TimeSpan.FromSeconds(150);

    /// <summary>Screenshots stay after the run (the test prints where) so CI can keep them and a person can look.</summary>
    private static string ArtifactDirectory => Environment.GetEnvironmentVariable("ZSAD_TEST_ARTIFACTS")
        ?? Path.Combine(ViewerPeers.RepositoryRoot, "viewer", "artifacts");

    [Fact]
    public async Task OhifLoadsZsadBinarySegOverTheSeries()
    {
        using var stack = new OhifStack();
        using var dir = new TempDir();
        var study = SegStudy.Create(dir.Path, "ZSAD-VIEWER-OHIF", seed: 11);
        var segPath = study.WriteBinary(dir.File("seg-binary.dcm"));
        var segSeries = DicomFile.Open(segPath).Dataset.GetRequiredString(DicomTags.SeriesInstanceUID);

        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = stack.DicomPort, CalledAE = stack.OrthancAETitle, CallingAE = "ZSAD" });
        var stored = await client.StoreFilesAsync([.. study.SourcePaths, segPath]);
        Assert.All(stored, r => Assert.True(r.IsStored, r.ToString()));
        Assert.Equal(study.SourcePaths.Count + 1, stored.Count);

        var screenshot = Path.Combine(ArtifactDirectory, "ohif-binary-seg.png");
        var viewer = ViewerPeers.RequireViewerPackages();
        var result = Peers.Run(ViewerPeers.Node,
            [Path.Combine(viewer, "checks", "ohif-seg.mjs"), stack.ViewerUrl.ToString(), study.StudyInstanceUid, segSeries, screenshot,
                ((int)BrowserTimeout.TotalSeconds - 20).ToString(System.Globalization.CultureInfo.InvariantCulture)],
            BrowserTimeout, workingDirectory: viewer);
        output.WriteLine($"OHIF screenshot: {screenshot}");
        Assert.True(result.ExitCode == 0, $"ohif-seg.mjs exited {result.ExitCode}\nstderr: {result.StdErr}\n{stack.Logs}");
        output.WriteLine(result.StdOut);

        var state = JsonDocument.Parse(result.StdOut).RootElement;
        var segmentation = Assert.Single(state.GetProperty("segmentations").EnumerateArray());
        var segment = Assert.Single(segmentation.GetProperty("segments").EnumerateArray());
        Assert.Equal(1, segment.GetProperty("index").GetInt32());
        Assert.Equal(SegStudy.SegmentLabel, segment.GetProperty("label").GetString());
        Assert.Contains(state.GetProperty("representations").EnumerateArray(),
            r => r.GetProperty("id").GetString() == segmentation.GetProperty("id").GetString());
        Assert.True(File.Exists(screenshot), $"no screenshot at {screenshot}");
    }
}
