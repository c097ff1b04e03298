using System.Globalization;
using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Host.Tests.Support;
using Zsad.Listener.Intake;

namespace Zsad.Host.Tests;

/// <summary>The Listener's series filters are `zsad serve` settings like any other (--modality, --exclude-image-type,
/// ...): a CT series, a localizer and, when configured, a derived series sent to `zsad serve` are kept in the intake
/// store with a Filtered outcome naming the rule and never reach inference; an ordinary MR series beside them is
/// reported. The process serves /health and /metrics as every `serve` does.</summary>
public class SeriesFilteringTests
{
    [Fact]
    public async Task ZsadServe_FiltersNonMrLocalizerAndDerivedSeries_AsConfigured()
    {
        using var dir = new TempDir();
        var data = dir.Sub("data");
        var source = dir.Sub("source");
        using var zsad = ZsadProcess.Start(["--data", data, "--rabbitmq", "", "--port", "0", "--http-port", "0", "--quiet-s", "1",
            "--detector", "intensity-baseline", "--normals", "phantom", "--allow-uncalibrated", "--modality", "MR", "--exclude-image-type", "LOCALIZER,DERIVED"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Wait.ForAsync(async () => (await http.GetAsync($"http://127.0.0.1:{zsad.HttpPort}/health")).IsSuccessStatusCode ? "ready" : null,
            TimeSpan.FromSeconds(60), () => $"/health never said ready:\n{zsad.Output}");

        var original = SyntheticSeries.Write(source, "FILTER-ORIGINAL", seed: 71);
        var derived = SyntheticSeries.Write(source, "FILTER-DERIVED", seed: 72); // SyntheticSeries are DERIVED\SECONDARY
        var ct = SyntheticSeries.Write(source, "FILTER-CT", seed: 73);
        var localizer = SyntheticSeries.Write(source, "FILTER-LOCALIZER", seed: 74);
        Rewrite(original, ds => ds.SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "M"));
        Rewrite(ct, ds =>
        {
            ds.SetString(DicomTags.SOPClassUID, DicomUid.CTImageStorage);
            ds.SetString(DicomTags.Modality, "CT");
            ds.SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        });
        Rewrite(localizer, ds => ds.SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "LOCALIZER"));

        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = zsad.DicomPort!.Value, CalledAE = "ZSAD", MaxRetries = 0 });
        var results = await client.StoreFilesAsync([original.SourceDirectory, derived.SourceDirectory, ct.SourceDirectory, localizer.SourceDirectory]);
        Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));

        var store = new IntakeStore(Path.Combine(data, "intake"), flushToDisk: false);
        await Wait.ForAsync(() => Task.FromResult(store.Scan().Count(s => s.Outcomes.Count > 0) == 4 ? "closed" : null),
            TimeSpan.FromSeconds(60), () => $"the four series did not all close:\n{zsad.Output}");
        await Wait.ForAsync(async () => (await http.GetStringAsync($"http://127.0.0.1:{zsad.HttpPort}/metrics"))
                .Contains("zsad_series_processed_total{stage=\"report\"} 1\n", StringComparison.Ordinal) ? "reported" : null,
            TimeSpan.FromSeconds(60), () => $"the MR series was not reported:\n{zsad.Output}");

        var outcomes = store.Scan().ToDictionary(s => s.Key.SeriesInstanceUid, s => Assert.Single(s.Outcomes));
        Assert.Equal(SeriesOutcomeStatus.Published, outcomes[original.SeriesInstanceUid].Status);
        foreach (var (series, rule) in new[] { (derived, "DERIVED"), (ct, "modality 'CT'"), (localizer, "LOCALIZER") })
        {
            Assert.Equal(SeriesOutcomeStatus.Filtered, outcomes[series.SeriesInstanceUid].Status);
            Assert.Contains(rule, outcomes[series.SeriesInstanceUid].Reason);
        }
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{zsad.HttpPort}/metrics");
        Assert.Contains("zsad_volumes_published 1\n", metrics);
        Assert.Contains($"zsad_instances_received {(original.Instances * 4).ToString(CultureInfo.InvariantCulture)}\n", metrics);
        Assert.Equal([original.StudyInstanceUid], Directory.GetDirectories(Path.Combine(data, "pacs")).Select(Path.GetFileName));
    }

    private static void Rewrite(SyntheticSeries series, Action<DicomDataset> change)
    {
        foreach (var path in Directory.GetFiles(series.SourceDirectory, "*.dcm"))
        {
            var file = DicomFile.Open(path);
            change(file.Dataset);
            file.Save(path);
        }
    }
}
