namespace Zsad.Dicom.Network;

/// <summary>Reassembles DIMSE messages from PDVs, per presentation context (PS3.8 9.3.5, PS3.7 E.2). Command and
/// dataset are collected separately; the dataset total is capped so a peer cannot make us buffer without bound.</summary>
public sealed class MessageAssembler
{
    /// <summary>Commands are a few hundred bytes; anything near this is an attack or a bug.</summary>
    public const int MaxCommandLength = 64 * 1024;

    private readonly long _maxDatasetLength;
    private readonly Dictionary<byte, Partial> _partials = new();
    private long _buffered;

    public MessageAssembler(long maxDatasetLength)
    {
        _maxDatasetLength = maxDatasetLength;
    }

    /// <summary>True while some message has been started but not completed (the DIMSE timeout applies then).</summary>
    public bool InProgress => _partials.Count > 0;

    /// <summary>Adds one PDV; returns the message it completes, or null.</summary>
    public DimseMessage? Add(in Pdv pdv)
    {
        if (!_partials.TryGetValue(pdv.PresentationContextId, out var partial))
        {
            partial = new Partial();
            _partials[pdv.PresentationContextId] = partial;
        }
        if (pdv.IsCommand)
        {
            if (partial.Command is not null)
                throw new DicomProtocolException($"command fragment on context {pdv.PresentationContextId} after its command was complete", AbortPdu.ReasonUnexpectedParameter);
            if (partial.CommandBytes.Length + pdv.Data.Length > MaxCommandLength)
                throw new DicomProtocolException($"DIMSE command set exceeds {MaxCommandLength} bytes", AbortPdu.ReasonInvalidParameterValue);
            partial.CommandBytes.Write(pdv.Data.Span);
            if (!pdv.IsLast)
                return null;
            partial.Command = DimseCommand.Decode(partial.CommandBytes.GetBuffer().AsMemory(0, (int)partial.CommandBytes.Length));
            if (DimseCommand.HasDataSet(partial.Command))
                return null;
            return Complete(pdv.PresentationContextId, partial, null);
        }

        if (partial.Command is null)
            throw new DicomProtocolException($"dataset fragment on context {pdv.PresentationContextId} before a complete command", AbortPdu.ReasonUnexpectedParameter);
        if (_buffered + pdv.Data.Length > _maxDatasetLength)
            throw new DicomProtocolException($"dataset exceeds the limit of {_maxDatasetLength} bytes", AbortPdu.ReasonInvalidParameterValue);
        partial.DatasetBytes ??= new MemoryStream();
        partial.DatasetBytes.Write(pdv.Data.Span);
        _buffered += pdv.Data.Length;
        if (!pdv.IsLast)
            return null;
        return Complete(pdv.PresentationContextId, partial, partial.DatasetBytes.GetBuffer().AsMemory(0, (int)partial.DatasetBytes.Length));
    }

    private DimseMessage Complete(byte contextId, Partial partial, ReadOnlyMemory<byte>? dataset)
    {
        _partials.Remove(contextId);
        if (partial.DatasetBytes is not null)
            _buffered -= partial.DatasetBytes.Length;
        return new DimseMessage(contextId, partial.Command!, dataset);
    }

    private sealed class Partial
    {
        public MemoryStream CommandBytes { get; } = new();
        public DicomDataset? Command { get; set; }
        public MemoryStream? DatasetBytes { get; set; }
    }
}
