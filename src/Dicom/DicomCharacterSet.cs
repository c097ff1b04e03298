using System.Text;

namespace Zsad.Dicom;

/// <summary>The text encoding a dataset's SpecificCharacterSet (0008,0005) selects for SH, LO, ST, LT, UC, UT and PN.
/// ASCII, ISO_IR 100 (Latin-1) and ISO_IR 192 (UTF-8) are decoded; others keep their raw bytes and say so.</summary>
public sealed class DicomCharacterSet
{
    public static readonly DicomCharacterSet Default = new("", Encoding.Latin1, true);
    public static readonly DicomCharacterSet Latin1 = new("ISO_IR 100", Encoding.Latin1, true);
    public static readonly DicomCharacterSet Utf8 = new("ISO_IR 192", new UTF8Encoding(false, false), true);

    /// <summary>The defined term(s) as written in SpecificCharacterSet.</summary>
    public string Term { get; }
    public Encoding Encoding { get; }
    public bool IsSupported { get; }

    private DicomCharacterSet(string term, Encoding encoding, bool supported)
    {
        Term = term;
        Encoding = encoding;
        IsSupported = supported;
    }

    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms)
    {
        var used = terms.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToArray();
        if (used.Length == 0)
            return Default;
        if (used.Length == 1)
        {
            switch (used[0])
            {
                // The default repertoire is ASCII; Latin-1 decoding is its lenient superset for bytes sent out of range.
                case "ISO_IR 6" or "ISO 2022 IR 6": return Default;
                case "ISO_IR 100" or "ISO 2022 IR 100": return Latin1;
                case "ISO_IR 192": return Utf8;
            }
        }
        else if (used.All(t => t is "ISO 2022 IR 6" or "ISO 2022 IR 100"))
        {
            return Latin1;
        }
        // Unsupported: keep bytes, decode nothing. Latin-1 maps bytes 1:1 so raw bytes survive any round trip.
        return new DicomCharacterSet(string.Join('\\', used), Encoding.Latin1, false);
    }

    public override string ToString() => Term.Length == 0 ? "default (ASCII)" : Term;
}
