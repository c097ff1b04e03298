using System.Globalization;

namespace Zsad.Dicom;

/// <summary>A DICOM attribute tag (group, element), ordered as the standard orders elements in a dataset.</summary>
public readonly record struct DicomTag(ushort Group, ushort Element) : IComparable<DicomTag>
{
    public static readonly DicomTag Item = new(0xFFFE, 0xE000);
    public static readonly DicomTag ItemDelimitationItem = new(0xFFFE, 0xE00D);
    public static readonly DicomTag SequenceDelimitationItem = new(0xFFFE, 0xE0DD);

    public DicomTag(uint value) : this((ushort)(value >> 16), (ushort)value) { }

    public uint Value => ((uint)Group << 16) | Element;

    /// <summary>Odd groups are private (PS3.5 7.8); groups 0001, 0003, 0005 and 0007 are illegal and not private.</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 0x0008;

    public bool IsPrivateCreator => IsPrivate && Element is >= 0x0010 and <= 0x00FF;

    public bool IsGroupLength => Element == 0x0000;

    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    public static bool operator <(DicomTag a, DicomTag b) => a.Value < b.Value;
    public static bool operator >(DicomTag a, DicomTag b) => a.Value > b.Value;
    public static bool operator <=(DicomTag a, DicomTag b) => a.Value <= b.Value;
    public static bool operator >=(DicomTag a, DicomTag b) => a.Value >= b.Value;

    /// <summary>The DICOM JSON key form: eight upper-case hex digits.</summary>
    public string ToJsonKey() => Value.ToString("X8", CultureInfo.InvariantCulture);

    public override string ToString() => $"({Group:X4},{Element:X4})";

    /// <summary>Parses "(0010,0010)", "0010,0010", "00100010" or a dictionary keyword.</summary>
    public static DicomTag Parse(string text)
    {
        var t = text.Trim().Trim('(', ')').Replace(",", "", StringComparison.Ordinal);
        if (t.Length == 8 && uint.TryParse(t, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
            return new DicomTag(v);
        var entry = DicomDictionary.LookupKeyword(text.Trim());
        return entry?.Tag ?? throw new FormatException($"'{text}' is neither a tag nor a PS3.6 keyword");
    }
}
