using System.Net;
using System.Net.Sockets;
using Zsad.Dicom;
using Zsad.Dicom.Network;

namespace Zsad.Testing;

/// <summary>The seeded PDU cases the SCP fuzz tests send, shared so that the quick run (Zsad.Dicom.Tests) and the
/// longer one (Zsad.Reliability.Tests) fuzz alike. A case is an optional valid A-ASSOCIATE-RQ, then a payload.</summary>
public static class PduFuzz
{
    public sealed record Case(byte[]? Request, byte[] Payload);

    public static byte[] ValidRequest()
    {
        var rq = new AssociationParameters { CalledAE = "ZSAD", CallingAE = "FUZZ" };
        rq.PresentationContexts.Add(new PresentationContext(1, DicomUid.Verification, [TransferSyntax.ImplicitVRLittleEndian.Uid]));
        rq.PresentationContexts.Add(new PresentationContext(3, DicomUid.MRImageStorage, [TransferSyntax.ExplicitVRLittleEndian.Uid]));
        return PduWriter.AssociateRequest(rq);
    }

    public static byte[] EchoPdu()
    {
        var ms = new MemoryStream();
        new DicomConnection(ms) { SendMaxPduLength = 16384 }.SendMessageAsync(1, DimseCommand.EchoRequest(1), null, CancellationToken.None).AsTask().Wait();
        return ms.ToArray();
    }

    public static byte[] Mutate(Random rng, byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        var n = rng.Next(1, 6);
        for (var i = 0; i < n; i++)
            copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
        return rng.Next(4) == 0 ? copy[..rng.Next(copy.Length)] : copy;
    }

    public static Case MakeCase(Random rng)
    {
        switch (rng.Next(6))
        {
            case 0: // random bytes
                var random = new byte[rng.Next(0, 2000)];
                rng.NextBytes(random);
                return new Case(null, random);
            case 1: // mutated A-ASSOCIATE-RQ
                return new Case(null, Mutate(rng, ValidRequest()));
            case 2: // a header announcing a huge PDU
                return new Case(null, [(byte)rng.Next(1, 8), 0, 0xFF, 0xFF, 0xFF, (byte)rng.Next(256)]);
            case 3: // valid association, then a mutated P-DATA-TF
                return new Case(ValidRequest(), Mutate(rng, EchoPdu()));
            case 4: // valid association, then random PDU types and bodies
                var body = new byte[rng.Next(0, 64)];
                rng.NextBytes(body);
                byte[] header = [(byte)rng.Next(1, 8), 0, 0, 0, 0, (byte)body.Length];
                return new Case(ValidRequest(), [.. header, .. body]);
            default: // valid association, then a dataset without command, or a second A-ASSOCIATE-RQ
                return rng.Next(2) == 0
                    ? new Case(ValidRequest(), [4, 0, 0, 0, 0, 8, 0, 0, 0, 4, 3, 2, 1, 2])
                    : new Case(ValidRequest(), ValidRequest());
        }
    }

    /// <summary>Plays one case against the SCP and drains until it closes; bounded to 5 s.</summary>
    public static async Task RunCaseAsync(int port, Case c)
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

    /// <summary>Runs the cases against the SCP on <paramref name="port"/>, <paramref name="parallel"/> at a time,
    /// within <paramref name="timeout"/> for all of them.</summary>
    public static async Task RunAllAsync(int port, IEnumerable<Case> cases, int parallel, TimeSpan timeout)
    {
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(cases.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                await RunCaseAsync(port, c);
            }
            finally
            {
                gate.Release();
            }
        })).WaitAsync(timeout);
    }
}
