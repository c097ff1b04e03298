namespace Zsad.Dicom;

/// <summary>A transfer syntax: how a dataset is encoded (VR explicitness, byte order, deflate, pixel encapsulation).</summary>
public sealed class TransferSyntax
{
    private static readonly Dictionary<string, TransferSyntax> ByUid = new(StringComparer.Ordinal);

    public string Uid { get; }
    public string Name { get; }
    public bool IsExplicitVR { get; }
    public bool IsBigEndian { get; }
    public bool IsDeflated { get; }
    /// <summary>Pixel data is encapsulated (fragments), i.e. compressed.</summary>
    public bool IsEncapsulated { get; }
    /// <summary>True when Zsad can decode (and so convert) this syntax's pixel data.</summary>
    public bool CanDecodePixels => !IsEncapsulated || this == RLELossless;

    private TransferSyntax(string uid, string name, bool explicitVR, bool bigEndian = false, bool deflated = false, bool encapsulated = false)
    {
        Uid = uid;
        Name = name;
        IsExplicitVR = explicitVR;
        IsBigEndian = bigEndian;
        IsDeflated = deflated;
        IsEncapsulated = encapsulated;
        ByUid[uid] = this;
    }

    public static readonly TransferSyntax ImplicitVRLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", false);
    public static readonly TransferSyntax ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true);
    public static readonly TransferSyntax DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, deflated: true);
    public static readonly TransferSyntax ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian (retired)", true, bigEndian: true);
    public static readonly TransferSyntax RLELossless = new("1.2.840.10008.1.2.5", "RLE Lossless", true, encapsulated: true);
    public static readonly TransferSyntax JPEGBaseline = new("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, encapsulated: true);
    public static readonly TransferSyntax JPEGExtended = new("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", true, encapsulated: true);
    public static readonly TransferSyntax JPEGLossless = new("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", true, encapsulated: true);
    public static readonly TransferSyntax JPEGLosslessSV1 = new("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction", true, encapsulated: true);
    public static readonly TransferSyntax JPEGLSLossless = new("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", true, encapsulated: true);
    public static readonly TransferSyntax JPEGLSNearLossless = new("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)", true, encapsulated: true);
    public static readonly TransferSyntax JPEG2000Lossless = new("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", true, encapsulated: true);
    public static readonly TransferSyntax JPEG2000 = new("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", true, encapsulated: true);

    public static TransferSyntax? Lookup(string uid) => ByUid.TryGetValue(uid, out var ts) ? ts : null;

    /// <summary>Looks up a UID, treating unknown ones as Explicit VR LE with encapsulated pixels (PS3.5 A.4: every
    /// compressed syntax is explicit little endian), so their datasets stay readable.</summary>
    public static TransferSyntax Get(string uid)
        => Lookup(uid) ?? new TransferSyntax(uid, $"Unknown transfer syntax {uid}", true, encapsulated: true, register: false);

    private TransferSyntax(string uid, string name, bool explicitVR, bool encapsulated, bool register)
    {
        Uid = uid;
        Name = name;
        IsExplicitVR = explicitVR;
        IsEncapsulated = encapsulated;
        if (register)
            ByUid[uid] = this;
    }

    /// <summary>Accepts the short names the command line uses (implicit, explicit, deflated, big, rle) or a UID.</summary>
    public static TransferSyntax Parse(string text) => text.ToLowerInvariant() switch
    {
        "implicit" => ImplicitVRLittleEndian,
        "explicit" => ExplicitVRLittleEndian,
        "deflated" => DeflatedExplicitVRLittleEndian,
        "big" => ExplicitVRBigEndian,
        "rle" => RLELossless,
        _ => Lookup(text) ?? throw new FormatException($"unknown transfer syntax '{text}' (use implicit, explicit, deflated, big, rle or a known UID)"),
    };

    public override string ToString() => $"{Name} [{Uid}]";
}
