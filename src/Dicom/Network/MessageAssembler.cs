using System.Buffers;

namespace Zsad.Dicom.Network;

/// <summary>Reassembles DIMSE messages from PDVs, per presentation context (PS3.8 9.3.5, PS3.7 E.2). Command and
/// dataset are collected separately; the dataset total is capped so a peer cannot make us buffer without bound.
/// The buffers are pooled and reused from message to message, so a steady stream of instances allocates no
/// dataset buffers: a completed message's dataset bytes are valid until the next <see cref="Add"/> on its context
/// (or <see cref="Dispose"/>).</summary>
public sealed class MessageAssembler : IDisposable
{
    /// <summary>Commands are a few hundred bytes; anything near this is an attack or a bug.</summary>
    public const int MaxCommandLength = 64 * 1024;

    private readonly long _maxDatasetLength;
    private readonly Dictionary<byte, Partial> _partials = new();
    private long _buffered;
    private int _inProgress;

    public MessageAssembler(long maxDatasetLength)
    {
        _maxDatasetLength = maxDatasetLength;
    }

    /// <summary>True while some message has been started but not completed (the DIMSE timeout applies then).</summary>
    public bool InProgress => _inProgress > 0;

    /// <summary>Adds one PDV; returns the message it completes, or null.</summary>
    public DimseMessage? Add(in Pdv pdv)
    {
        if (!_partials.TryGetValue(pdv.PresentationContextId, out var partial))
        {
            partial = new Partial();
            _partials[pdv.PresentationContextId] = partial;
        }
        if (!partial.Started)
        {
            partial.Started = true;
            _inProgress++;
        }
        if (pdv.IsCommand)
        {
            if (partial.Command is not null)
                throw new DicomProtocolException($"command fragment on context {pdv.PresentationContextId} after its command was complete", AbortPdu.ReasonUnexpectedParameter);
            if (partial.CommandBytes.Length + pdv.Data.Length > MaxCommandLength)
                throw new DicomProtocolException($"DIMSE command set exceeds {MaxCommandLength} bytes", AbortPdu.ReasonInvalidParameterValue);
            partial.CommandBytes.Append(pdv.Data.Span);
            if (!pdv.IsLast)
                return null;
            // a copy: the command's values outlive the buffer, which the next message reuses (a few hundred bytes)
            partial.Command = DimseCommand.Decode(partial.CommandBytes.Written.ToArray());
            if (DimseCommand.HasDataSet(partial.Command))
                return null;
            return Complete(pdv.PresentationContextId, partial, null);
        }

        if (partial.Command is null)
            throw new DicomProtocolException($"dataset fragment on context {pdv.PresentationContextId} before a complete command", AbortPdu.ReasonUnexpectedParameter);
        if (_buffered + pdv.Data.Length > _maxDatasetLength)
            throw new DicomProtocolException($"dataset exceeds the limit of {_maxDatasetLength} bytes", AbortPdu.ReasonInvalidParameterValue);
        partial.DatasetBytes.Append(pdv.Data.Span);
        _buffered += pdv.Data.Length;
        if (!pdv.IsLast)
            return null;
        return Complete(pdv.PresentationContextId, partial, partial.DatasetBytes.Written);
    }

    private DimseMessage Complete(byte contextId, Partial partial, ReadOnlyMemory<byte>? dataset)
    {
        var message = new DimseMessage(contextId, partial.Command!, dataset);
        _buffered -= partial.DatasetBytes.Length;
        _inProgress--;
        partial.Reset();
        return message;
    }

    /// <summary>Returns the pooled buffers; messages completed earlier must no longer be read.</summary>
    public void Dispose()
    {
        foreach (var partial in _partials.Values)
        {
            partial.CommandBytes.Release();
            partial.DatasetBytes.Release();
        }
        _partials.Clear();
    }

    private sealed class Partial
    {
        public PooledBytes CommandBytes { get; } = new();
        public PooledBytes DatasetBytes { get; } = new();
        public DicomDataset? Command { get; set; }
        public bool Started { get; set; }

        /// <summary>Ready for the next message; the bytes stay readable (and the buffers kept) until the next Append.</summary>
        public void Reset()
        {
            Command = null;
            Started = false;
            CommandBytes.Rewind();
            DatasetBytes.Rewind();
        }
    }

    /// <summary>A growable byte buffer from <see cref="ArrayPool{T}.Shared"/>, kept across messages.</summary>
    private sealed class PooledBytes
    {
        private byte[] _buffer = [];
        private int _length;
        private bool _rewound;

        public int Length => _rewound ? 0 : _length;

        public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

        public void Append(ReadOnlySpan<byte> data)
        {
            if (_rewound)
            {
                _length = 0;
                _rewound = false;
            }
            if (_buffer.Length - _length < data.Length)
            {
                var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(_length + (long)data.Length, 2L * _buffer.Length)));
                _buffer.AsSpan(0, _length).CopyTo(grown);
                Release();
                _buffer = grown;
            }
            data.CopyTo(_buffer.AsSpan(_length));
            _length += data.Length;
        }

        /// <summary>The next Append starts over; until then <see cref="Written"/> still reads the last message.</summary>
        public void Rewind() => _rewound = true;

        public void Release()
        {
            if (_buffer.Length > 0)
                ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
