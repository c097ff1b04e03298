using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace Zsad.Dicom.Network;

/// <summary>The transport under one association: reads whole PDUs off a <see cref="PipeReader"/> and writes
/// PDUs, fragmenting DIMSE messages to the peer's max PDU length. Used by both acceptor and requestor.</summary>
public sealed class DicomConnection : IAsyncDisposable
{
    /// <summary>What we send per P-DATA-TF when the peer says "unlimited" (max PDU 0).</summary>
    public const uint UnlimitedSendPdu = 1 << 20;

    private readonly Socket? _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private int _disposed;

    public DicomConnection(Stream stream, Socket? socket = null)
    {
        _stream = stream;
        _socket = socket;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
    }

    public EndPoint? RemoteEndPoint => _socket?.RemoteEndPoint;

    /// <summary>Our advertised max PDU length: longer P-DATA-TF PDUs are refused on receipt.</summary>
    public uint ReceiveMaxPduLength { get; set; } = 16384;

    /// <summary>The peer's max PDU length, which bounds every P-DATA-TF we send (0 = unlimited).</summary>
    public uint SendMaxPduLength { get; set; } = 16384;

    /// <summary>Reads one complete PDU, or null when the peer closed the connection between PDUs.</summary>
    public async ValueTask<PduFrame?> ReadPduAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
            cts.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(cts.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                bool framed;
                PduFrame? frame;
                try
                {
                    framed = PduReader.TryReadFrame(ref buffer, ReceiveMaxPduLength, out frame);
                }
                catch
                {
                    _reader.AdvanceTo(buffer.Start);
                    throw;
                }
                if (framed)
                {
                    _reader.AdvanceTo(buffer.Start);
                    return frame;
                }
                if (result.IsCompleted)
                {
                    var partial = buffer.Length;
                    _reader.AdvanceTo(buffer.End);
                    if (partial == 0)
                        return null;
                    throw new DicomProtocolException($"connection closed inside a PDU ({partial} bytes received)", AbortPdu.ReasonInvalidParameterValue);
                }
                _reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no PDU within {timeout.TotalSeconds:0.#} s");
        }
    }

    public async ValueTask SendPduAsync(byte[] pdu, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(pdu, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a DIMSE message: command PDVs, then dataset PDVs, each PDU at most the peer's max PDU
    /// length (PS3.8 9.3.5: a PDV carries at most max - 6 bytes; command and dataset never share a PDV).</summary>
    public async ValueTask SendMessageAsync(byte contextId, DicomDataset command, ReadOnlyMemory<byte>? dataset, CancellationToken cancellationToken)
    {
        var max = SendMaxPduLength == 0 ? UnlimitedSendPdu : Math.Min(SendMaxPduLength, UnlimitedSendPdu);
        // even fragments: peers such as dcmtk reject odd PDV lengths before the last one
        var chunk = (int)Math.Max(2, (max - 6) & ~1u);
        var buffer = ArrayPool<byte>.Shared.Rent(chunk + PduWriter.DataHeaderLength);
        try
        {
            await SendFragmentsAsync(contextId, true, DimseCommand.Encode(command), chunk, buffer, cancellationToken).ConfigureAwait(false);
            if (dataset is { } data)
                await SendFragmentsAsync(contextId, false, data, chunk, buffer, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask SendFragmentsAsync(byte contextId, bool isCommand, ReadOnlyMemory<byte> data, int chunk, byte[] buffer, CancellationToken ct)
    {
        var offset = 0;
        do
        {
            var n = Math.Min(chunk, data.Length - offset);
            var last = offset + n == data.Length;
            PduWriter.WriteDataHeader(buffer, n, contextId, isCommand, last);
            data.Slice(offset, n).CopyTo(buffer.AsMemory(PduWriter.DataHeaderLength));
            await _stream.WriteAsync(buffer.AsMemory(0, n + PduWriter.DataHeaderLength), ct).ConfigureAwait(false);
            offset += n;
        }
        while (offset < data.Length);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the peer to close (the ARTIM wait after RJ,
    /// RELEASE-RP and ABORT, PS3.8 9.2), discarding anything it still sends.</summary>
    public async ValueTask WaitForPeerCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(cts.Token).ConfigureAwait(false);
                _reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                    return;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // ARTIM expired or the transport failed: either way we close now
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // the transport is going away anyway
        }
        try
        {
            _socket?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // already reset by the peer
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket?.Dispose();
    }
}
