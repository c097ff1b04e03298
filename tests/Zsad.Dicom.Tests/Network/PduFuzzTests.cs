using System.Net;
using System.Net.Sockets;
using Zsad.Dicom.Network;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Network;

/// <summary>Seeded, bounded fuzzing of a live SCP on 127.0.0.1 with random and mutated PDUs, while an honest
/// association stores instances: the SCP must neither crash nor disturb the honest peer, and must end every
/// fuzzed association.</summary>
public sealed class PduFuzzTests
{
    private const int Cases = 300;
    private const int Seed = 20261128;

    [Fact]
    public async Task RandomAndMutatedPdus_NoCrash_HonestAssociationCompletes()
    {
        using var dir = new TempDir();
        var options = new DicomServerOptions
        {
            Port = 0, AETitle = "ZSAD", MaxAssociations = 64, MaxPduLength = 16384, MaxDatasetLength = 1 << 20,
            ArtimTimeout = TimeSpan.FromSeconds(1), DimseTimeout = TimeSpan.FromSeconds(1), IdleTimeout = TimeSpan.FromSeconds(2),
        };
        await using var server = NetworkFixtures.StartServer(dir.File("rx"), options);
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 20);
        var honest = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 })
            .StoreFilesAsync(files);

        var rng = new Random(Seed);
        var cases = Enumerable.Range(0, Cases).Select(_ => MakeCase(rng)).ToList();
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(cases.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                await RunCaseAsync(server.Port, c);
            }
            finally
            {
                gate.Release();
            }
        })).WaitAsync(TimeSpan.FromSeconds(120));

        var results = await honest.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));
        Assert.Equal(DicomStatus.Success, await new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 }).EchoAsync());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.ActiveAssociations > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(0, server.ActiveAssociations);
    }

    private sealed record FuzzCase(byte[]? Request, byte[] Payload);

    private static byte[] ValidRequest()
    {
        var rq = new AssociationParameters { CalledAE = "ZSAD", CallingAE = "FUZZ" };
        rq.PresentationContexts.Add(new PresentationContext(1, DicomUid.Verification, [TransferSyntax.ImplicitVRLittleEndian.Uid]));
        rq.PresentationContexts.Add(new PresentationContext(3, DicomUid.MRImageStorage, [TransferSyntax.ExplicitVRLittleEndian.Uid]));
        return PduWriter.AssociateRequest(rq);
    }

    private static byte[] EchoPdu()
    {
        var ms = new MemoryStream();
        new DicomConnection(ms) { SendMaxPduLength = 16384 }.SendMessageAsync(1, DimseCommand.EchoRequest(1), null, CancellationToken.None).AsTask().Wait();
        return ms.ToArray();
    }

    private static byte[] Mutate(Random rng, byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        var n = rng.Next(1, 6);
        for (var i = 0; i < n; i++)
            copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
        return rng.Next(4) == 0 ? copy[..rng.Next(copy.Length)] : copy;
    }

    private static FuzzCase MakeCase(Random rng)
    {
        switch (rng.Next(6))
        {
            case 0: // random bytes
                var random = new byte[rng.Next(0, 2000)];
                rng.NextBytes(random);
                return new FuzzCase(null, random);
            case 1: // mutated A-ASSOCIATE-RQ
                return new FuzzCase(null, Mutate(rng, ValidRequest()));
            case 2: // a header announcing a huge PDU
                return new FuzzCase(null, [(byte)rng.Next(1, 8), 0, 0xFF, 0xFF, 0xFF, (byte)rng.Next(256)]);
            case 3: // valid association, then a mutated P-DATA-TF
                return new FuzzCase(ValidRequest(), Mutate(rng, EchoPdu()));
            case 4: // valid association, then random PDU types and bodies
                var body = new byte[rng.Next(0, 64)];
                rng.NextBytes(body);
                byte[] header = [(byte)rng.Next(1, 8), 0, 0, 0, 0, (byte)body.Length];
                return new FuzzCase(ValidRequest(), [.. header, .. body]);
            default: // valid association, then a dataset without command, or a second A-ASSOCIATE-RQ
                return rng.Next(2) == 0
                    ? new FuzzCase(ValidRequest(), [4, 0, 0, 0, 0, 8, 0, 0, 0, 4, 3, 2, 1, 2])
                    : new FuzzCase(ValidRequest(), ValidRequest());
        }
    }

    private static async Task RunCaseAsync(int port, FuzzCase c)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            var buffer = new byte[65536];
            if (c.Request is not null)
            {
                await socket.SendAsync(c.Request, SocketFlags.None, cts.Token);
                await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token); // the A-ASSOCIATE-AC
            }
            await socket.SendAsync(c.Payload, SocketFlags.None, cts.Token);
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
                // drain until the SCP closes: it must, by A-ABORT, RJ or ARTIM/idle timeout
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // reset by the SCP or our own bound: both fine, the SCP's health is checked afterwards
        }
    }
}
