namespace Zsad.Dicom.Network;

/// <summary>PS3.8 9.3.3.2 Table 9-18: the acceptor's answer to one proposed presentation context.</summary>
public enum PresentationContextResult : byte
{
    Acceptance = 0,
    UserRejection = 1,
    NoReason = 2,
    AbstractSyntaxNotSupported = 3,
    TransferSyntaxesNotSupported = 4,
}

/// <summary>One presentation context: an abstract syntax (SOP class) with the transfer syntaxes proposed for it
/// and, once answered, the result and the one transfer syntax the acceptor picked.</summary>
public sealed class PresentationContext
{
    public PresentationContext(byte id, string abstractSyntax, IReadOnlyList<string> transferSyntaxes)
    {
        Id = id;
        AbstractSyntax = abstractSyntax;
        TransferSyntaxes = transferSyntaxes;
    }

    /// <summary>Odd, 1..255 (PS3.8 9.3.2.2).</summary>
    public byte Id { get; }
    public string AbstractSyntax { get; }
    public IReadOnlyList<string> TransferSyntaxes { get; }
    public PresentationContextResult Result { get; set; } = PresentationContextResult.NoReason;
    public string? AcceptedTransferSyntax { get; set; }

    public bool IsAccepted => Result == PresentationContextResult.Acceptance && AcceptedTransferSyntax is not null;

    public override string ToString()
        => $"[{Id}] {DicomUid.NameOf(AbstractSyntax) ?? AbstractSyntax}: {Result}{(AcceptedTransferSyntax is null ? "" : " " + (DicomUid.NameOf(AcceptedTransferSyntax) ?? AcceptedTransferSyntax))}";
}
