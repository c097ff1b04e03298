namespace Zsad.Dicom.Network;

/// <summary>The content of an A-ASSOCIATE-RQ or -AC (PS3.8 9.3.2/9.3.3, PS3.7 D.3.3): AE titles, application
/// context, presentation contexts and user information.</summary>
public sealed class AssociationParameters
{
    /// <summary>PS3.8 9.3.2: 128 presentation contexts at most (odd ids 1..255).</summary>
    public const int MaxPresentationContexts = 128;

    public string CalledAE { get; set; } = "";
    public string CallingAE { get; set; } = "";
    public string ApplicationContext { get; set; } = DicomUid.ApplicationContext;
    public ushort ProtocolVersion { get; set; } = 1;
    public List<PresentationContext> PresentationContexts { get; } = new();

    /// <summary>Largest P-DATA-TF PDU (length field) the sender of this PDU can receive; 0 = unlimited.</summary>
    public uint MaxPduLength { get; set; } = 16384;
    public string? ImplementationClassUid { get; set; } = DicomUid.ImplementationClass;
    public string? ImplementationVersionName { get; set; } = DicomUid.ImplementationVersionName;

    /// <summary>Asynchronous Operations Window (PS3.7 D.3.3.3); null when the sub-item is absent.</summary>
    public (ushort Invoked, ushort Performed)? AsyncOperations { get; set; }
    public List<RoleSelection> RoleSelections { get; } = new();

    public PresentationContext? FindContext(byte id)
    {
        foreach (var pc in PresentationContexts)
            if (pc.Id == id)
                return pc;
        return null;
    }
}
