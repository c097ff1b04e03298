namespace Zsad.Dicom;

/// <summary>A value representation (PS3.5 6.2) with the encoding facts the reader, writer and validator need.</summary>
public sealed class DicomVR
{
    private static readonly Dictionary<ushort, DicomVR> ByCode = new();

    public string Code { get; }
    /// <summary>True when Explicit VR encodes a 2-byte reserved field and a 4-byte length.</summary>
    public bool HasLongLength { get; }
    /// <summary>Character string VRs (values separated by backslash unless single-valued).</summary>
    public bool IsString { get; }
    /// <summary>Text VRs whose bytes depend on SpecificCharacterSet (PS3.5 6.1.2.3).</summary>
    public bool UsesCharacterSet { get; }
    /// <summary>Strings that never hold more than one value, so a backslash is data.</summary>
    public bool IsSingleValuedText { get; }
    /// <summary>Size of one binary value in bytes, which byte swapping for big endian works on; 1 when none applies.</summary>
    public int UnitSize { get; }
    /// <summary>Maximum length of one value (characters for text, bytes otherwise); 0 when unbounded.</summary>
    public int MaxLength { get; }
    public byte PadByte { get; }
    public bool IsSequence => Code == "SQ";

    private DicomVR(string code, bool longLength, bool isString, bool charset, bool singleValued, int unitSize, int maxLength, byte pad)
    {
        Code = code;
        HasLongLength = longLength;
        IsString = isString;
        UsesCharacterSet = charset;
        IsSingleValuedText = singleValued;
        UnitSize = unitSize;
        MaxLength = maxLength;
        PadByte = pad;
        ByCode[Key(code[0], code[1])] = this;
    }

    private static ushort Key(char a, char b) => (ushort)((a << 8) | b);

    private static DicomVR Text(string code, int max, bool charset = false, bool single = false, bool longLength = false)
        => new(code, longLength, true, charset, single, 1, max, (byte)' ');

    private static DicomVR Binary(string code, int unit, bool longLength = false)
        => new(code, longLength, false, false, false, unit, 0, 0);

    public static readonly DicomVR AE = Text("AE", 16);
    public static readonly DicomVR AS = Text("AS", 4);
    public static readonly DicomVR AT = Binary("AT", 2); // a tag is two 16-bit words
    public static readonly DicomVR CS = Text("CS", 16);
    public static readonly DicomVR DA = Text("DA", 8);
    public static readonly DicomVR DS = Text("DS", 16);
    public static readonly DicomVR DT = Text("DT", 26);
    public static readonly DicomVR FL = Binary("FL", 4);
    public static readonly DicomVR FD = Binary("FD", 8);
    public static readonly DicomVR IS = Text("IS", 12);
    public static readonly DicomVR LO = Text("LO", 64, charset: true);
    public static readonly DicomVR LT = Text("LT", 10240, charset: true, single: true);
    public static readonly DicomVR OB = Binary("OB", 1, longLength: true);
    public static readonly DicomVR OD = Binary("OD", 8, longLength: true);
    public static readonly DicomVR OF = Binary("OF", 4, longLength: true);
    public static readonly DicomVR OL = Binary("OL", 4, longLength: true);
    public static readonly DicomVR OV = Binary("OV", 8, longLength: true);
    public static readonly DicomVR OW = Binary("OW", 2, longLength: true);
    public static readonly DicomVR PN = Text("PN", 64 * 3 + 2, charset: true); // 64 per component group
    public static readonly DicomVR SH = Text("SH", 16, charset: true);
    public static readonly DicomVR SL = Binary("SL", 4);
    public static readonly DicomVR SQ = new("SQ", true, false, false, false, 1, 0, 0);
    public static readonly DicomVR SS = Binary("SS", 2);
    public static readonly DicomVR ST = Text("ST", 1024, charset: true, single: true);
    public static readonly DicomVR SV = Binary("SV", 8, longLength: true);
    public static readonly DicomVR TM = Text("TM", 14);
    public static readonly DicomVR UC = Text("UC", 0, charset: true, longLength: true);
    public static readonly DicomVR UI = new("UI", false, true, false, false, 1, 64, 0);
    public static readonly DicomVR UL = Binary("UL", 4);
    public static readonly DicomVR UN = Binary("UN", 1, longLength: true);
    public static readonly DicomVR UR = Text("UR", 0, single: true, longLength: true);
    public static readonly DicomVR US = Binary("US", 2);
    public static readonly DicomVR UT = Text("UT", 0, charset: true, single: true, longLength: true);
    public static readonly DicomVR UV = Binary("UV", 8, longLength: true);

    public static IReadOnlyCollection<DicomVR> All => ByCode.Values;

    /// <summary>Bulk binary VRs (OB OD OF OL OV OW UN) whose values the JSON model carries as InlineBinary.</summary>
    public bool IsBulkBinary => Code[0] == 'O' || this == UN;

    public static bool TryGet(byte a, byte b, out DicomVR vr)
    {
        if (ByCode.TryGetValue(Key((char)a, (char)b), out var found))
        {
            vr = found;
            return true;
        }
        vr = UN;
        return false;
    }

    public static DicomVR Parse(string code)
    {
        if (code.Length == 2 && TryGet((byte)code[0], (byte)code[1], out var vr))
            return vr;
        throw new FormatException($"'{code}' is not a DICOM value representation");
    }

    public override string ToString() => Code;
}
