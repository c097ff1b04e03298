namespace Zsad.Dicom.Network;

/// <summary>A presentation data value (PS3.8 9.3.5.1, E.2): one fragment of a command or dataset.
/// <see cref="Data"/> aliases the PDU buffer it came from and is valid only until that PDU is released.</summary>
public readonly record struct Pdv(byte PresentationContextId, bool IsCommand, bool IsLast, ReadOnlyMemory<byte> Data);
