using System.Net;
using Zsad.Dicom.Network;
using Zsad.Dicom.Network.QueryRetrieve;

namespace Zsad.Dicom.Tests.Network;

/// <summary>Zsad's Query/Retrieve SCU against a real Orthanc 1.10 loaded over C-STORE: C-FIND in both models at every
/// level with wildcards, date ranges and UID lists, C-GET (instances back on the same association, byte for byte),
/// C-MOVE to an in-process SCP Orthanc knows, and the one-line errors: unknown destination (Orthanc: C000), unknown called AE
/// (A-ASSOCIATE-RJ).</summary>
public sealed class QueryRetrieveOrthancTests
{
    private const string Me = "ZSADQR";

    private sealed record Loaded(string StudyA, string SeriesA, string StudyB, string SeriesB, Dictionary<string, DicomFile> Sent);

    /// <summary>Study A (2026-01-10, patient PA, 4 MR images "t2w axial") and study B (2026-03-05, patient PB, 3 MR
    /// images "flair sag"), stored into Orthanc by Zsad's own C-STORE SCU.</summary>
    private static async Task<Loaded> LoadAsync(OrthancPeer orthanc, TempDir dir)
    {
        var sent = new Dictionary<string, DicomFile>();
        string Write(string study, string series, string date, string patient, string description, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var ds = TestImages.MrImage(32, 32, seed: sent.Count + 1, seriesUid: series, instance: i + 1);
                ds.SetString(DicomTags.StudyInstanceUID, study);
                ds.SetString(DicomTags.StudyDate, date);
                ds.SetString(DicomTags.PatientID, patient);
                ds.SetString(DicomTags.PatientName, patient + "^Test");
                ds.SetString(DicomTags.SeriesDescription, description);
                var file = new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian);
                file.Save(dir.File($"load/{ds.GetRequiredString(DicomTags.SOPInstanceUID)}.dcm"));
                sent[ds.GetRequiredString(DicomTags.SOPInstanceUID)] = file;
            }
            return series;
        }
        Directory.CreateDirectory(dir.File("load"));
        string studyA = DicomUid.Generate(), studyB = DicomUid.Generate();
        var seriesA = Write(studyA, DicomUid.Generate(), "20260110", "PA", "t2w axial", 4);
        var seriesB = Write(studyB, DicomUid.Generate(), "20260305", "PB", "flair sag", 3);
        var store = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = orthanc.DicomPort, CalledAE = orthanc.AETitle, CallingAE = Me, MaxRetries = 0 });
        var results = await store.StoreFilesAsync([dir.File("load")]);
        Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));
        return new Loaded(studyA, seriesA, studyB, seriesB, sent);
    }

    private static QueryRetrieveClient Client(OrthancPeer orthanc, string calledAE = "ORTHANC")
        => new(new DicomClientOptions { Host = "127.0.0.1", Port = orthanc.DicomPort, CalledAE = calledAE, CallingAE = Me, MaxRetries = 0 });

    private static async Task<List<DicomDataset>> ListAsync(IAsyncEnumerable<DicomDataset> matches)
    {
        var list = new List<DicomDataset>();
        await foreach (var m in matches)
            list.Add(m);
        return list;
    }

    [Fact]
    public async Task Find_BothModels_EveryLevel_WildcardsRangesAndUidLists()
    {
        using var orthanc = new OrthancPeer(new Dictionary<string, object> { ["DicomModalities"] = new Dictionary<string, object> { ["zsad"] = OrthancPeer.Modality(Me, 104) } });
        using var dir = new TempDir();
        var loaded = await LoadAsync(orthanc, dir);
        var qr = Client(orthanc);

        // Study Root, STUDY level: an open-ended date range picks study B only; a closed one both.
        var since = await ListAsync(qr.FindAsync(DicomQuery.Studies().MatchDateRange(DicomTags.StudyDate, new DateOnly(2026, 2, 1), null)));
        Assert.Equal([loaded.StudyB], since.Select(s => s.GetString(DicomTags.StudyInstanceUID)));
        Assert.Equal("PB", since[0].GetString(DicomTags.PatientID));
        var both = await ListAsync(qr.FindAsync(DicomQuery.Studies().Match(DicomTags.StudyDate, "20260101-20260331")));
        Assert.Equal(new[] { loaded.StudyA, loaded.StudyB }.Order(), both.Select(s => s.GetString(DicomTags.StudyInstanceUID)!).Order());
        // A wildcard on PatientName, and a UID list.
        var wild = await ListAsync(qr.FindAsync(DicomQuery.Studies().Match(DicomTags.PatientName, "P?^T*")));
        Assert.Equal(2, wild.Count);
        var list = await ListAsync(qr.FindAsync(DicomQuery.Studies().Match(DicomTags.StudyInstanceUID, loaded.StudyA + "\\" + DicomUid.Generate())));
        Assert.Equal([loaded.StudyA], list.Select(s => s.GetString(DicomTags.StudyInstanceUID)));

        // SERIES level with a description wildcard; the instance count returned.
        var series = await ListAsync(qr.FindAsync(DicomQuery.Series(loaded.StudyA).Match(DicomTags.SeriesDescription, "t2w*").Match(DicomTags.Modality, "MR")));
        var one = Assert.Single(series);
        Assert.Equal(loaded.SeriesA, one.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(4, one.GetInt(DicomTags.NumberOfSeriesRelatedInstances));
        Assert.Empty(await ListAsync(qr.FindAsync(DicomQuery.Series(loaded.StudyA).Match(DicomTags.SeriesDescription, "flair*"))));

        // IMAGE level: every SOP instance of the series.
        var images = await ListAsync(qr.FindAsync(DicomQuery.Instances(loaded.StudyB, loaded.SeriesB)));
        Assert.Equal(loaded.Sent.Values.Where(f => f.Dataset.GetString(DicomTags.SeriesInstanceUID) == loaded.SeriesB).Select(f => f.Dataset.GetRequiredString(DicomTags.SOPInstanceUID)).Order(),
            images.Select(i => i.GetRequiredString(DicomTags.SOPInstanceUID)).Order());

        // Patient Root: PATIENT level by ID, then the studies of that patient.
        var patients = await ListAsync(qr.FindAsync(new DicomQuery(QueryRetrieveModel.PatientRoot, QueryRetrieveLevel.Patient)
            .Match(DicomTags.PatientID, "PB").Return(DicomTags.PatientName)));
        Assert.Equal("PB^Test", Assert.Single(patients).GetString(DicomTags.PatientName));
        var studies = await ListAsync(qr.FindAsync(new DicomQuery(QueryRetrieveModel.PatientRoot, QueryRetrieveLevel.Study)
            .Match(DicomTags.PatientID, "PB").Return(DicomTags.StudyInstanceUID)));
        Assert.Equal(loaded.StudyB, Assert.Single(studies).GetString(DicomTags.StudyInstanceUID));

        // Leaving the enumeration after the first match sends C-CANCEL; the next query works on a new association.
        await foreach (var _ in qr.FindAsync(DicomQuery.Studies()))
            break;
        Assert.Equal(2, (await ListAsync(qr.FindAsync(DicomQuery.Studies()))).Count);
    }

    [Fact]
    public async Task Get_Series_InstancesArriveOnTheAssociation_ByteForByte()
    {
        using var orthanc = new OrthancPeer(new Dictionary<string, object> { ["DicomModalities"] = new Dictionary<string, object> { ["zsad"] = OrthancPeer.Modality(Me, 104) } });
        using var dir = new TempDir();
        var loaded = await LoadAsync(orthanc, dir);
        var received = new Dictionary<string, ReceivedInstance>();
        var bytes = new Dictionary<string, byte[]>();
        var result = await Client(orthanc).GetAsync(DicomQuery.RetrieveSeries(loaded.StudyA, loaded.SeriesA), (instance, _) =>
        {
            received[instance.SopInstanceUid] = instance;
            bytes[instance.SopInstanceUid] = instance.ToPart10Bytes();
            return ValueTask.CompletedTask;
        });
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(4, result.Completed);
        Assert.Equal(0, result.Failed);
        var expected = loaded.Sent.Where(s => s.Value.Dataset.GetString(DicomTags.SeriesInstanceUID) == loaded.SeriesA).ToList();
        Assert.Equal(expected.Select(e => e.Key).Order(), received.Keys.Order());
        Assert.Equal(received.Keys.Order(), result.ReceivedSopInstanceUids.Order());
        foreach (var (uid, file) in expected)
        {
            Assert.Equal("ORTHANC", received[uid].CallingAE);
            Assert.Equal(Me, received[uid].CalledAE);
            NetworkFixtures.AssertSameDataset(file.Dataset, DicomFile.Read(bytes[uid]).Dataset, uid);
        }
    }

    [Fact]
    public async Task Move_Series_ToAKnownScp_AndUnknownDestinationFails()
    {
        using var dir = new TempDir();
        var port = Peers.FreePort();
        using var orthanc = new OrthancPeer(new Dictionary<string, object>
        {
            ["DicomModalities"] = new Dictionary<string, object> { ["zsad"] = OrthancPeer.Modality(Me, port) },
        });
        var loaded = await LoadAsync(orthanc, dir);
        var into = dir.Sub("moved");
        await using var scp = NetworkFixtures.StartServer(into, new DicomServerOptions { Port = port, AETitle = Me });
        var progress = new List<RetrieveProgress>();
        var result = await Client(orthanc).MoveAsync(DicomQuery.RetrieveSeries(loaded.StudyB, loaded.SeriesB), Me, new Progress<RetrieveProgress>(progress.Add));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(3, result.Completed);
        var moved = NetworkFixtures.ReadFolder(into);
        Assert.Equal(loaded.Sent.Where(s => s.Value.Dataset.GetString(DicomTags.SeriesInstanceUID) == loaded.SeriesB).Select(s => s.Key).Order(), moved.Keys.Order());

        var unknown = await Assert.ThrowsAsync<DicomQueryRetrieveException>(() => Client(orthanc).MoveAsync(DicomQuery.RetrieveSeries(loaded.StudyB, loaded.SeriesB), "NOBODY"));
        // Orthanc 1.10 answers an unknown destination with C000, not A801 (dcmqrscp's A801: QueryRetrieveDcmqrscpTests).
        Assert.Equal((ushort)0xC000, unknown.Status);
        Assert.Equal("C-MOVE to 'NOBODY' refused by ORTHANC: unable to process (status C000)", unknown.Message);
    }

    [Fact]
    public async Task UnknownCalledAE_IsAssociateReject()
    {
        using var orthanc = new OrthancPeer(new Dictionary<string, object> { ["DicomModalities"] = new Dictionary<string, object> { ["zsad"] = OrthancPeer.Modality(Me, 104) } });
        var ex = await Assert.ThrowsAsync<DicomAssociationRejectedException>(async () => await ListAsync(Client(orthanc, "NOT-ORTHANC").FindAsync(DicomQuery.Studies())));
        Assert.Equal(AssociateReject.ReasonCalledAENotRecognized, ex.Reject.Reason);
    }
}
