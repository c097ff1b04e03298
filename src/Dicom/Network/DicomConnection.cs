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
    private const int ReadBufferLength = 64 * 1024;

    private readonly Stream _stream;
    private PipeReader? _pipe;
    private int _disposed;
    // blocking reads (the acceptor's own thread): a read-ahead buffer, and the socket timeout last set
    private byte[]? _readBuffer;
    private int _readStart;
    private int _readEnd;
    private TimeSpan _receiveTimeout = Timeout.InfiniteTimeSpan;

    /// <param name="stream">The transport; use either the async reads (<see cref="ReadPduAsync"/>) or the blocking
    /// ones (<see cref="ReadPdu"/>) on one connection, not both.</param>
    public DicomConnection(Stream stream, Socket? socket = null)
    {
        _stream = stream;
        _socket = socket;
    }

    private PipeReader Pipe
        => _pipe ??= PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));

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
                var result = await Pipe.ReadAsync(cts.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                bool framed;
                PduFrame? frame;
                try
                {
                    framed = PduReader.TryReadFrame(ref buffer, ReceiveMaxPduLength, out frame);
                }
                catch
                {
                    Pipe.AdvanceTo(buffer.Start);
                    throw;
                }
                if (framed)
                {
                    Pipe.AdvanceTo(buffer.Start);
                    return frame;
                }
                if (result.IsCompleted)
                {
                    var partial = buffer.Length;
                    Pipe.AdvanceTo(buffer.End);
                    if (partial == 0)
                        return null;
                    throw new DicomProtocolException($"connection closed inside a PDU ({partial} bytes received)", AbortPdu.ReasonInvalidParameterValue);
                }
                Pipe.AdvanceTo(buffer.Start, buffer.End);
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
                var result = await Pipe.ReadAsync(cts.Token).ConfigureAwait(false);
                Pipe.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                    return;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // ARTIM expired or the transport failed: either way we close now
        }
    }

    // ---- blocking I/O: the acceptor runs each association on its own thread (see DicomServer) ----

    /// <summary>Reads one complete PDU, blocking, or null when the peer closed the connection between PDUs. The
    /// body is read from the socket straight into the frame's buffer once the read-ahead is used up.</summary>
    public PduFrame? ReadPdu(TimeSpan timeout)
    {
        SetReceiveTimeout(timeout);
        Span<byte> header = stackalloc byte[PduReader.HeaderLength];
        var got = ReadBuffered(header, allowDirect: false);
        if (got == 0)
            return null;
        if (got < header.Length)
            throw ClosedInside(got);
        var length = (int)PduReader.ValidateHeader(header, ReceiveMaxPduLength);
        var body = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            var read = ReadBuffered(body.AsSpan(0, length), allowDirect: true);
            if (read < length)
                throw ClosedInside(header.Length + read);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(body);
            throw;
        }
        return new PduFrame((PduType)header[0], body, length);
    }

    /// <summary>Fills <paramref name="target"/> from the read-ahead, then the stream; returns fewer bytes only at
    /// the end of the stream. With <paramref name="allowDirect"/>, large remainders go from the socket straight
    /// into <paramref name="target"/> (no copy through the read-ahead).</summary>
    private int ReadBuffered(Span<byte> target, bool allowDirect)
    {
        _readBuffer ??= new byte[ReadBufferLength];
        var filled = 0;
        while (filled < target.Length)
        {
            if (_readStart < _readEnd)
            {
                var n = Math.Min(_readEnd - _readStart, target.Length - filled);
                _readBuffer.AsSpan(_readStart, n).CopyTo(target[filled..]);
                _readStart += n;
                filled += n;
                continue;
            }
            var remaining = target.Length - filled;
            int read;
            if (allowDirect && remaining >= ReadBufferLength / 2)
            {
                read = Receive(target[filled..]);
                filled += read;
            }
            else
            {
                _readStart = 0;
                _readEnd = read = Receive(_readBuffer);
            }
            if (read == 0)
                return filled;
        }
        return filled;
    }

    private int Receive(Span<byte> into)
    {
        try
        {
            return _stream.Read(into);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock })
        {
            throw new TimeoutException($"no PDU within {_receiveTimeout.TotalSeconds:0.#} s");
        }
    }

    private void SetReceiveTimeout(TimeSpan timeout)
    {
        if (timeout == _receiveTimeout || _socket is null)
            return;
        _socket.ReceiveTimeout = timeout == Timeout.InfiniteTimeSpan ? 0 : (int)Math.Max(1, Math.Min(int.MaxValue, timeout.TotalMilliseconds));
        _receiveTimeout = timeout;
    }

    private static DicomProtocolException ClosedInside(int received)
        => new($"connection closed inside a PDU ({received} bytes received)", AbortPdu.ReasonInvalidParameterValue);

    public void SendPdu(byte[] pdu)
    {
        _stream.Write(pdu);
        _stream.Flush();
    }

    /// <summary>Blocking <see cref="SendMessageAsync"/>.</summary>
    public void SendMessage(byte contextId, DicomDataset command, ReadOnlyMemory<byte>? dataset)
    {
        var max = SendMaxPduLength == 0 ? UnlimitedSendPdu : Math.Min(SendMaxPduLength, UnlimitedSendPdu);
        var chunk = (int)Math.Max(2, (max - 6) & ~1u);
        var buffer = ArrayPool<byte>.Shared.Rent(chunk + PduWriter.DataHeaderLength);
        try
        {
            SendFragments(contextId, true, DimseCommand.Encode(command), chunk, buffer);
            if (dataset is { } data)
                SendFragments(contextId, false, data, chunk, buffer);
            _stream.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void SendFragments(byte contextId, bool isCommand, ReadOnlyMemory<byte> data, int chunk, byte[] buffer)
    {
        var offset = 0;
        do
        {
            var n = Math.Min(chunk, data.Length - offset);
            PduWriter.WriteDataHeader(buffer, n, contextId, isCommand, offset + n == data.Length);
            data.Span.Slice(offset, n).CopyTo(buffer.AsSpan(PduWriter.DataHeaderLength));
            _stream.Write(buffer, 0, n + PduWriter.DataHeaderLength);
            offset += n;
        }
        while (offset < data.Length);
    }

    /// <summary>Blocking <see cref="WaitForPeerCloseAsync"/>.</summary>
    public void WaitForPeerClose(TimeSpan timeout)
    {
        try
        {
            SetReceiveTimeout(timeout);
            _readBuffer ??= new byte[ReadBufferLength];
            _readStart = _readEnd = 0;
            var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (Receive(_readBuffer) > 0 && Environment.TickCount64 < deadline)
            {
                // discarded
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or SocketException or ObjectDisposedException)
        {
            // ARTIM expired or the transport failed: either way we close now
        }
    }

    /// <summary>Unblocks a blocking read in progress (it sees the end of the stream); sends still work, so an
    /// A-ABORT can follow.</summary>
    public void StopReceiving()
    {
        try
        {
            _socket?.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // already closed
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            if (_pipe is not null)
                await _pipe.CompleteAsync().ConfigureAwait(false);
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
