namespace Zsad.Dicom.Network;

/// <summary>A complete DIMSE message: its command set and, when the command says one follows, the dataset bytes
/// exactly as received (in the presentation context's transfer syntax; still deflated for Deflated syntax).</summary>
public sealed record DimseMessage(byte PresentationContextId, DicomDataset Command, ReadOnlyMemory<byte>? Dataset)
{
    public ushort CommandField => (ushort)(Command.GetInt(DicomTags.CommandField) ?? 0);

    public ushort Status => (ushort)(Command.GetInt(DicomTags.Status) ?? 0xFFFF);

    public override string ToString() => $"DIMSE 0x{CommandField:X4} on context {PresentationContextId}";
}
