using Zsad.Dicom.IO;
using Zsad.Dicom.Network;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Network;

/// <summary>Zsad's SCP on 127.0.0.1 driven by Zsad's SCU and by dcmtk: rejections and C-STORE statuses.</summary>
public sealed class ZsadScpLiveTests
{
    private static DicomClientOptions Client(DicomServer server, string calling = "SCU", string called = "ZSAD")
        => new() { Host = "127.0.0.1", Port = server.Port, CallingAE = calling, CalledAE = called, MaxRetries = 0, DimseTimeout = TimeSpan.FromSeconds(20) };

    private static readonly (string, IReadOnlyList<string>)[] MrContexts =
        [(DicomUid.MRImageStorage, [TransferSyntax.ExplicitVRLittleEndian.Uid])];

    [Fact]
    public async Task WrongCalledAE_RejectedWithReason7_AlsoSeenByEchoscu()
    {
        using var dir = new TempDir();
        await using var server = NetworkFixtures.StartServer(dir.Path);
        var ex = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => DicomClientAssociation.OpenAsync(Client(server, called: "WRONG"), MrContexts));
        Assert.Equal(new AssociateReject(1, 1, 7), ex.Reject);
        var echo = NetworkFixtures.RunPeer("echoscu", "-aec", "WRONG", "127.0.0.1", server.Port.ToString());
        Assert.NotEqual(0, echo.ExitCode);
        Assert.Contains("Called AE Title Not Recognized", echo.StdErr + echo.StdOut);
    }

    [Fact]
    public async Task CallingAENotAllowed_RejectedWithReason3()
    {
        using var dir = new TempDir();
        await using var server = NetworkFixtures.StartServer(dir.Path, new DicomServerOptions { Port = 0, AETitle = "ZSAD", AllowedCallingAETitles = ["FRIEND"] });
        var ex = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => DicomClientAssociation.OpenAsync(Client(server, calling: "STRANGER"), MrContexts));
        Assert.Equal(new AssociateReject(1, 1, 3), ex.Reject);
        await using var ok = await DicomClientAssociation.OpenAsync(Client(server, calling: "FRIEND"), MrContexts);
        await ok.ReleaseAsync();
        var echo = NetworkFixtures.RunPeer("echoscu", "-aec", "ZSAD", "-aet", "STRANGER", "127.0.0.1", server.Port.ToString());
        Assert.Contains("Calling AE Title Not Recognized", echo.StdErr + echo.StdOut);
    }

    [Fact]
    public async Task OnlyUnsupportedTransferSyntaxes_ContextResult4()
    {
        using var dir = new TempDir();
        await using var server = NetworkFixtures.StartServer(dir.Path);
        await using var association = await DicomClientAssociation.OpenAsync(Client(server),
            [(DicomUid.MRImageStorage, [TransferSyntax.JPEGBaseline.Uid, TransferSyntax.JPEG2000.Uid]), (DicomUid.Verification, [TransferSyntax.ImplicitVRLittleEndian.Uid])]);
        Assert.Equal(PresentationContextResult.TransferSyntaxesNotSupported, association.Request.PresentationContexts[0].Result);
        Assert.Equal(DicomStatus.Success, await association.EchoAsync());
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task TooManyAssociations_RejectedTransient_ThenAcceptedWhenOneEnds()
    {
        using var dir = new TempDir();
        await using var server = NetworkFixtures.StartServer(dir.Path, new DicomServerOptions { Port = 0, AETitle = "ZSAD", MaxAssociations = 1 });
        var first = await DicomClientAssociation.OpenAsync(Client(server), MrContexts);
        var ex = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => DicomClientAssociation.OpenAsync(Client(server), MrContexts));
        Assert.Equal(new AssociateReject(AssociateReject.ResultTransient, AssociateReject.SourceServiceProviderPresentation, AssociateReject.ReasonLocalLimitExceeded), ex.Reject);
        await first.ReleaseAsync();
        await first.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.ActiveAssociations > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await using var second = await DicomClientAssociation.OpenAsync(Client(server), MrContexts);
        await second.ReleaseAsync();
    }

    [Fact]
    public async Task StoreResponse_IsSentOnlyAfterTheStorageCallbackCompletes()
    {
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 2);
        var completed = 0;
        await using var server = NetworkFixtures.StartServer(dir.File("rx"), store: async (instance, ct) =>
        {
            await Task.Delay(300, ct);
            Assert.Equal(TransferSyntax.ExplicitVRLittleEndian, instance.TransferSyntax);
            Assert.NotNull(instance.Dataset);
            Interlocked.Increment(ref completed);
        });
        var client = new DicomClient(Client(server));
        var seen = new List<int>();
        var results = await client.StoreFilesAsync(files, new Recorder(_ => seen.Add(Volatile.Read(ref completed))));
        Assert.All(results, r => Assert.Equal(DicomStatus.Success, r.Status));
        Assert.Equal([1, 2], seen);
    }

    [Fact]
    public async Task StorageThrowingIOException_AnswersA700_AndTheNextInstanceStillStores()
    {
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 2);
        var calls = 0;
        await using var server = NetworkFixtures.StartServer(dir.File("rx"), store: (_, _) =>
            Interlocked.Increment(ref calls) == 1 ? throw new IOException("disk full") : ValueTask.CompletedTask);
        var results = await new DicomClient(Client(server)).StoreFilesAsync(files);
        Assert.Equal(DicomStatus.OutOfResources, results[0].Status);
        Assert.False(results[0].IsStored);
        Assert.Equal(DicomStatus.Success, results[1].Status);
    }

    [Fact]
    public async Task DatasetUidsDifferingFromCommand_AnswersA900()
    {
        using var dir = new TempDir();
        await using var server = NetworkFixtures.StartServer(dir.Path);
        await using var association = await DicomClientAssociation.OpenAsync(Client(server), MrContexts);
        var dataset = DicomDatasetWriter.Encode(TestImages.MrImage(16, 16), TransferSyntax.ExplicitVRLittleEndian);
        var rsp = await association.RequestAsync(1, DimseCommand.StoreRequest(association.NextMessageId(), DicomUid.MRImageStorage, DicomUid.Generate()), dataset);
        Assert.Equal(DicomStatus.DataSetDoesNotMatchSopClass, rsp.Status);
        await association.ReleaseAsync();
        Assert.Empty(Directory.EnumerateFiles(dir.Path));
    }

    [Fact]
    public async Task UnparseableDataset_AnswersC000()
    {
        using var dir = new TempDir();
        await using var server = NetworkFixtures.StartServer(dir.Path);
        await using var association = await DicomClientAssociation.OpenAsync(Client(server), MrContexts);
        byte[] garbage = [0x08, 0x00, 0x16, 0x00, (byte)'U', (byte)'I', 0x40, 0x00, (byte)'1', (byte)'.'];
        var rsp = await association.RequestAsync(1, DimseCommand.StoreRequest(association.NextMessageId(), DicomUid.MRImageStorage, "1.2.3"), garbage);
        Assert.Equal(DicomStatus.CannotUnderstand, rsp.Status);
        Assert.StartsWith("dataset cannot be parsed", rsp.Command.GetString(DicomTags.ErrorComment));
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task CommandSopClassOtherThanTheContext_Answers0122()
    {
        using var dir = new TempDir();
        await using var server = NetworkFixtures.StartServer(dir.Path);
        await using var association = await DicomClientAssociation.OpenAsync(Client(server), MrContexts);
        var ds = TestImages.MrImage(16, 16);
        ds.SetString(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.481.1");
        var rsp = await association.RequestAsync(1, DimseCommand.StoreRequest(association.NextMessageId(), "1.2.840.10008.5.1.4.1.1.481.1", ds.GetRequiredString(DicomTags.SOPInstanceUID)),
            DicomDatasetWriter.Encode(ds, TransferSyntax.ExplicitVRLittleEndian));
        Assert.Equal(DicomStatus.SopClassNotSupported, rsp.Status);
        await association.ReleaseAsync();
    }

    [Fact]
    public async Task DeflatedInstance_IsStoredWithTheBytesAsSent()
    {
        using var dir = new TempDir();
        var path = dir.File("deflated.dcm");
        new DicomFile(TestImages.MrImage(64, 64, 5), TransferSyntax.ExplicitVRLittleEndian).Save(path, TransferSyntax.DeflatedExplicitVRLittleEndian);
        await using var server = NetworkFixtures.StartServer(dir.File("rx"));
        var result = Assert.Single(await new DicomClient(Client(server)).StoreFilesAsync([path]));
        Assert.True(result.IsStored, result.ToString());
        var original = File.ReadAllBytes(path);
        var stored = File.ReadAllBytes(Path.Combine(dir.File("rx"), result.SopInstanceUid + ".dcm"));
        var o = Part10.ReadMeta(original)!.Value;
        var s = Part10.ReadMeta(stored)!.Value;
        Assert.Equal(TransferSyntax.DeflatedExplicitVRLittleEndian.Uid, s.Meta.GetString(DicomTags.TransferSyntaxUID));
        var sent = original.AsSpan(o.DatasetOffset).ToArray();
        var kept = stored.AsSpan(s.DatasetOffset).ToArray();
        Assert.Equal(sent, kept.Length == sent.Length + 1 ? kept[..^1] : kept); // the SCU pads an odd deflated stream with one NUL
        NetworkFixtures.AssertSameDataset(DicomFile.Open(path).Dataset, DicomFile.Open(Path.Combine(dir.File("rx"), result.SopInstanceUid + ".dcm")).Dataset);
    }

    [Fact]
    public async Task ScuRetries_WhenTheScpIsNotYetListening()
    {
        using var dir = new TempDir();
        var port = NetworkFixtures.FreePort();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 1);
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAE = "ZSAD", MaxRetries = 4, RetryDelay = TimeSpan.FromMilliseconds(300) });
        var sending = client.StoreFilesAsync(files);
        await Task.Delay(400);
        await using var server = NetworkFixtures.StartServer(dir.File("rx"), new DicomServerOptions { Port = port, AETitle = "ZSAD" });
        var result = Assert.Single(await sending.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(result.IsStored, result.ToString());
    }

    [Fact]
    public async Task IdleConnectionFlood_BeyondTheCap_IsClosedAtOnce()
    {
        using var dir = new TempDir();
        await using var server = NetworkFixtures.StartServer(dir.Path, new DicomServerOptions { Port = 0, AETitle = "ZSAD", MaxAssociations = 1 });
        var idle = new List<System.Net.Sockets.Socket>();
        try
        {
            // 1 association + 64 still negotiating: each of these waits for its A-ASSOCIATE-RQ (ARTIM, 30 s)
            for (var i = 0; i < 65; i++)
            {
                var s = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await s.ConnectAsync("127.0.0.1", server.Port);
                idle.Add(s);
            }
            // accepted in order, so when the server takes the next one these 65 are all open on its side
            using var extra = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await extra.ConnectAsync("127.0.0.1", server.Port);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var read = await extra.ReceiveAsync(new byte[16], System.Net.Sockets.SocketFlags.None, cts.Token); // 0: closed by the server
            Assert.Equal(0, read);
        }
        finally
        {
            foreach (var s in idle)
                s.Dispose();
        }
    }

    private sealed class Recorder(Action<StoreResult> action) : IProgress<StoreResult>
    {
        public void Report(StoreResult value) => action(value);
    }
}
