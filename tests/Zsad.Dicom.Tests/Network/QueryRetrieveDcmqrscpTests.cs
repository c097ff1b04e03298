using Zsad.Dicom.Network;
using Zsad.Dicom.Network.QueryRetrieve;

namespace Zsad.Dicom.Tests.Network;

/// <summary>Zsad's Query/Retrieve SCU against dcmtk's dcmqrscp (loaded with storescu): C-FIND, C-GET and C-MOVE, a
/// destination it does not know (A801), partial retrieves (B000 with the failed SOP instances listed) and C-CANCEL
/// of a running C-GET.</summary>
public sealed class QueryRetrieveDcmqrscpTests
{
    private const string Me = "ZSADQR";

    private static (string Study, string Series, List<string> Uids) WriteSeries(string directory, int count)
    {
        var files = NetworkFixtures.WriteMrFiles(directory, count);
        var first = DicomFile.Open(files[0]).Dataset;
        return (first.GetRequiredString(DicomTags.StudyInstanceUID), first.GetRequiredString(DicomTags.SeriesInstanceUID),
            files.Select(f => DicomFile.Open(f).Dataset.GetRequiredString(DicomTags.SOPInstanceUID)).ToList());
    }

    private static QueryRetrieveClient Client(DcmqrscpPeer peer)
        => new(new DicomClientOptions { Host = "127.0.0.1", Port = peer.Port, CalledAE = peer.AETitle, CallingAE = Me, MaxRetries = 0 });

    [Fact]
    public async Task FindGetMove_AndUnknownDestinationIsA801()
    {
        using var dir = new TempDir();
        var port = Peers.FreePort();
        using var peer = new DcmqrscpPeer([(Me, port)]);
        var (study, series, uids) = WriteSeries(dir.File("load"), 5);
        peer.Load(dir.File("load"));
        var qr = Client(peer);

        var studies = new List<DicomDataset>();
        await foreach (var s in qr.FindAsync(DicomQuery.Studies().Match(DicomTags.StudyDate, "20260101-").Match(DicomTags.PatientName, "Test*")))
            studies.Add(s);
        Assert.Equal(study, Assert.Single(studies).GetString(DicomTags.StudyInstanceUID));
        var images = new List<string>();
        await foreach (var i in qr.FindAsync(DicomQuery.Instances(study, series)))
            images.Add(i.GetRequiredString(DicomTags.SOPInstanceUID));
        Assert.Equal(uids.Order(), images.Order());

        var got = new List<string>();
        var get = await qr.GetAsync(DicomQuery.RetrieveSeries(study, series), (instance, _) => { got.Add(instance.SopInstanceUid); return ValueTask.CompletedTask; });
        Assert.True(get.IsSuccess, get.ToString());
        Assert.Equal(uids.Order(), got.Order());

        var into = dir.Sub("moved");
        await using (var scp = NetworkFixtures.StartServer(into, new DicomServerOptions { Port = port, AETitle = Me }))
        {
            var move = await qr.MoveAsync(DicomQuery.RetrieveSeries(study, series), Me);
            Assert.True(move.IsSuccess, move.ToString());
            Assert.Equal(5, move.Completed);
        }
        Assert.Equal(uids.Order(), NetworkFixtures.ReadFolder(into).Keys.Order());

        var unknown = await Assert.ThrowsAsync<DicomQueryRetrieveException>(() => qr.MoveAsync(DicomQuery.RetrieveSeries(study, series), "NOBODY"));
        Assert.Equal(DicomStatus.MoveDestinationUnknown, unknown.Status);
        Assert.StartsWith("C-MOVE to 'NOBODY' refused by DCMQR: move destination 'NOBODY' is unknown to DCMQR (status A801", unknown.Message);
    }

    [Fact]
    public async Task Get_OneInstanceRefused_IsPartialWithItsUidListed()
    {
        using var dir = new TempDir();
        using var peer = new DcmqrscpPeer();
        var (study, series, uids) = WriteSeries(dir.File("load"), 4);
        peer.Load(dir.File("load"));
        var refused = uids[2];
        var result = await Client(peer).GetAsync(DicomQuery.RetrieveSeries(study, series), (instance, _) =>
            instance.SopInstanceUid == refused ? throw new DicomStorageException(DicomStatus.OutOfResources, "disk full (test)") : ValueTask.CompletedTask);
        Assert.True(result.IsPartial, result.ToString());
        Assert.Equal(3, result.Completed);
        Assert.Equal(1, result.Failed);
        Assert.Equal([refused], result.FailedSopInstanceUids);
        Assert.DoesNotContain(refused, result.ReceivedSopInstanceUids);
    }

    [Fact]
    public async Task Get_CancelledAfterTheFirstInstance_SendsCCancel_AndStopsEarly()
    {
        using var dir = new TempDir();
        using var peer = new DcmqrscpPeer();
        var (study, series, uids) = WriteSeries(dir.File("load"), 12);
        peer.Load(dir.File("load"));
        using var cancel = new CancellationTokenSource();
        var got = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(peer).GetAsync(DicomQuery.RetrieveSeries(study, series), (instance, _) =>
        {
            got.Add(instance.SopInstanceUid);
            cancel.Cancel();
            return ValueTask.CompletedTask;
        }, cancellationToken: cancel.Token));
        Assert.InRange(got.Count, 1, uids.Count - 1);
        // The SCP ended the operation cleanly: a new association is served at once.
        var again = new List<string>();
        var result = await Client(peer).GetAsync(DicomQuery.RetrieveSeries(study, series), (instance, _) => { again.Add(instance.SopInstanceUid); return ValueTask.CompletedTask; });
        Assert.Equal(uids.Count, again.Count);
        Assert.True(result.IsSuccess, result.ToString());
    }
}
