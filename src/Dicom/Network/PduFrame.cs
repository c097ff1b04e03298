using System.Buffers;

namespace Zsad.Dicom.Network;

/// <summary>One complete PDU taken off the wire: its type and its body (the bytes after the 6-byte header) in
/// a pooled buffer, returned when the frame is disposed.</summary>
public sealed class PduFrame : IDisposable
{
    private byte[]? _buffer;

    internal PduFrame(PduType type, byte[] buffer, int length)
    {
        Type = type;
        _buffer = buffer;
        Length = length;
    }

    public PduType Type { get; }
    public int Length { get; }

    public ReadOnlyMemory<byte> Body
        => _buffer is null ? throw new ObjectDisposedException(nameof(PduFrame)) : _buffer.AsMemory(0, Length);

    public void Dispose()
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        if (b is not null)
            ArrayPool<byte>.Shared.Return(b);
    }
}
