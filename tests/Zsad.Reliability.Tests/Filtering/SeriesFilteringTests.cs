using Zsad.Contracts;
using Zsad.Dicom;
using Zsad.Dicom.Network;
using Zsad.Listener;
using Zsad.Listener.Filtering;
using Zsad.Listener.Intake;
using Zsad.Reliability.Tests.Support;

namespace Zsad.Reliability.Tests.Filtering;

/// <summary>Non-MR, localizer and (when configured) derived series sent to the listener are kept in the intake store
/// with a Filtered outcome naming the rule, and never become a VolumeReady; an ordinary MR series beside them does.</summary>
public sealed class SeriesFilteringTests
{
    [Fact]
    public async Task NonMrLocalizerAndDerivedSeriesAreKeptAndRecordedButNotProcessed()
    {
        using var tmp = new TempDir();
        var publisher = new RecordingPublisher();
        await using var listener = new ListenerService(new ListenerOptions
        {
            // 2 s, not less: under CI load a shorter quiet time closed the MR series between its instances, so it came
            // out as two generations (the service's default is 5 s).
            DataDirectory = tmp.Sub("data"), Port = 0, QuietTime = TimeSpan.FromSeconds(2), RabbitMqUri = null,
            Filter = new SeriesFilterOptions { ExcludedImageTypes = ["LOCALIZER", "DERIVED"] },
        }, publisher: publisher);
        await listener.StartAsync();

        var mr = Instances.Series(4);
        var ct = Instances.Series(3, change: ds =>
        {
            ds.SetString(DicomTags.SOPClassUID, DicomUid.CTImageStorage);
            ds.SetString(DicomTags.Modality, "CT");
        });
        var localizer = Instances.Series(3, change: ds => ds.SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "LOCALIZER"));
        var derived = Instances.Series(3, change: ds => ds.SetString(DicomTags.ImageType, "DERIVED", "SECONDARY", "ADC"));
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = listener.Port, CalledAE = "ZSAD", MaxRetries = 0 });
        var results = await client.StoreAsync([.. mr, .. ct, .. localizer, .. derived]).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));

        await Instances.UntilAsync(() => listener.Store.Scan().Count(s => s.Outcomes.Count > 0) == 4, TimeSpan.FromSeconds(30), "four closed series");
        await Instances.UntilAsync(() => !publisher.Messages.IsEmpty, TimeSpan.FromSeconds(30), "the VolumeReady of the MR series");
        await Task.Delay(4000); // a wrongly processed series would publish within a quiet time or two

        var outcomes = listener.Store.Scan().ToDictionary(s => s.Key.SeriesInstanceUid, s => Assert.Single(s.Outcomes));
        string Uid(List<DicomFile> files) => files[0].Dataset.GetRequiredString(DicomTags.SeriesInstanceUID);
        Assert.Equal(SeriesOutcomeStatus.Published, outcomes[Uid(mr)].Status);
        Assert.Equal(SeriesOutcomeStatus.Filtered, outcomes[Uid(ct)].Status);
        Assert.Contains("modality 'CT'", outcomes[Uid(ct)].Reason);
        Assert.Equal(SeriesOutcomeStatus.Filtered, outcomes[Uid(localizer)].Status);
        Assert.Contains("LOCALIZER", outcomes[Uid(localizer)].Reason);
        Assert.Equal(SeriesOutcomeStatus.Filtered, outcomes[Uid(derived)].Status);
        Assert.Contains("DERIVED", outcomes[Uid(derived)].Reason);
        foreach (var (files, uid) in new[] { ct, localizer, derived }.Select(f => (f, Uid(f))))
            Assert.Equal(files.Count, listener.Store.Scan().Single(s => s.Key.SeriesInstanceUid == uid).InstanceCount);

        var volume = Assert.IsType<VolumeReady>(Assert.Single(publisher.Messages));
        Assert.Equal(Uid(mr), volume.SeriesInstanceUid);
    }

    [Fact]
    public void ExcludedImageTypesComeFromTheServeCommandLine()
    {
        Assert.Equal(["LOCALIZER"], Zsad.Listener.Commands.ListenerCommands.ParseServeOptions(["--data", "d"]).Filter.ExcludedImageTypes);
        Assert.Equal(["LOCALIZER", "DERIVED"],
            Zsad.Listener.Commands.ListenerCommands.ParseServeOptions(["--data", "d", "--exclude-image-type", "LOCALIZER,DERIVED"]).Filter.ExcludedImageTypes);
        Assert.Empty(Zsad.Listener.Commands.ListenerCommands.ParseServeOptions(["--data", "d", "--exclude-image-type", "none"]).Filter.ExcludedImageTypes);
    }

    [Fact]
    public void DefaultFilterPassesOverLocalizersOnly()
    {
        var filter = new SeriesFilter(new SeriesFilterOptions());
        var localizer = TestImages.MrImage();
        localizer.SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "LOCALIZER");
        var derived = TestImages.MrImage();
        derived.SetString(DicomTags.ImageType, "DERIVED", "SECONDARY");
        Assert.False(filter.Evaluate([TestImages.MrImage(), localizer]).Accepted);
        Assert.True(filter.Evaluate([derived]).Accepted);
    }
}
