using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Zsad.Dicom.Network;

namespace Zsad.Reliability.Tests.Corpus;

/// <summary>Each PDU capture of the corpus, sent to a live SCP on 127.0.0.1, gets exactly the answer its manifest
/// entry names (A-ABORT with its reason, or A-ASSOCIATE-RJ), and leaves the SCP serving.</summary>
public sealed class PduCorpusTests
{
    public static TheoryData<string> PduEntries => CorpusFiles.NamesOf("pdu");

    [Theory]
    [MemberData(nameof(PduEntries))]
    public async Task MalformedPduGetsItsExpectedAnswer(string name)
    {
        var entry = CorpusFiles.Entry(name);
        await using var server = new DicomServer(new DicomServerOptions
        {
            Port = 0, AETitle = "ZSAD", MaxPduLength = 16384,
            ArtimTimeout = TimeSpan.FromSeconds(2), DimseTimeout = TimeSpan.FromSeconds(2), IdleTimeout = TimeSpan.FromSeconds(3),
        });
        server.Start();

        var answer = await ExchangeAsync(server.Port, entry.AfterAssociation ? CorpusGenerator.AssociateRequest() : null, CorpusFiles.Read(entry.Files[0]));
        Assert.True(answer == entry.Response, $"{name} ({entry.Wrong}): expected '{entry.Response}', got '{answer}'");

        // The SCP survives and ends the association: a new peer is served, nothing stays counted as active.
        Assert.Equal(DicomStatus.Success, await new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 }).EchoAsync());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.ActiveAssociations > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal(0, server.ActiveAssociations);
    }

    /// <summary>Sends the optional request (reading its A-ASSOCIATE-AC), then the payload; returns the SCP's first PDU
    /// after it, in words: "A-ABORT source S reason R", "A-ASSOCIATE-RJ result R source S reason N", or "closed".</summary>
    public static async Task<string> ExchangeAsync(int port, byte[]? request, byte[] payload)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        if (request is not null)
        {
            await socket.SendAsync(request, SocketFlags.None, cts.Token);
            var ac = await ReadPduAsync(socket, cts.Token);
            Assert.True(ac is { Type: 0x02 }, "the valid A-ASSOCIATE-RQ was not accepted");
        }
        try
        {
            await socket.SendAsync(payload, SocketFlags.None, cts.Token);
        }
        catch (SocketException)
        {
            // the SCP may already have answered and closed (e.g. after a header it refuses): read what it said
        }
        var pdu = await ReadPduAsync(socket, cts.Token);
        return pdu switch
        {
            null => "closed",
            { Type: 0x07, Body.Length: 4 } p => $"A-ABORT source {p.Body[2]} reason {p.Body[3]}",
            { Type: 0x03, Body.Length: 4 } p => $"A-ASSOCIATE-RJ result {p.Body[1]} source {p.Body[2]} reason {p.Body[3]}",
            var p => $"PDU 0x{p.Type:X2} of {p.Body.Length} bytes",
        };
    }

    private static async Task<RawPdu?> ReadPduAsync(Socket socket, CancellationToken ct)
    {
        var header = new byte[6];
        if (!await ReadExactlyAsync(socket, header, ct))
            return null;
        var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2))];
        return await ReadExactlyAsync(socket, body, ct) ? new RawPdu(header[0], body) : null;
    }

    private sealed record RawPdu(byte Type, byte[] Body);

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, ct);
                if (n == 0)
                    return false;
                read += n;
            }
        }
        catch (SocketException)
        {
            return false; // reset by the SCP: as good as closed
        }
        return true;
    }
}
