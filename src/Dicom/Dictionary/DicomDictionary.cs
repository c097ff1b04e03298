namespace Zsad.Dicom;

/// <summary>One PS3.6 entry. Repeating groups such as 60xx carry a mask; <see cref="Vr"/> may be ambiguous ("US|SS").</summary>
public sealed record DicomDictionaryEntry(uint TagValue, uint Mask, string Vr, string Keyword, string VM, bool Retired)
{
    public DicomTag Tag => new(TagValue);

    /// <summary>The first (default) VR; ambiguous VRs are resolved by the reader from context.</summary>
    public DicomVR DefaultVR => Vr == "NONE" ? DicomVR.UN : DicomVR.Parse(Vr[..2]);

    public bool IsAmbiguous => Vr.Contains('|');
}

/// <summary>The PS3.6 data dictionary, generated once from dcmtk's dicom.dic by tools/dictgen.</summary>
public static partial class DicomDictionary
{
    private static readonly Dictionary<uint, DicomDictionaryEntry> Exact = new();
    private static readonly List<DicomDictionaryEntry> Repeating = new();
    private static readonly Dictionary<string, DicomDictionaryEntry> KeywordIndex = new(StringComparer.Ordinal);

    static DicomDictionary()
    {
        foreach (var e in GeneratedEntries)
        {
            if (e.Mask == 0xFFFFFFFFu)
                Exact.TryAdd(e.TagValue, e);
            else
                Repeating.Add(e);
            KeywordIndex.TryAdd(e.Keyword, e);
        }
    }

    public static int Count => GeneratedEntries.Length;

    public static DicomDictionaryEntry? Lookup(DicomTag tag)
    {
        if (Exact.TryGetValue(tag.Value, out var e))
            return e;
        foreach (var r in Repeating)
            if ((tag.Value & r.Mask) == r.TagValue)
                return r;
        return null;
    }

    public static DicomDictionaryEntry? LookupKeyword(string keyword)
        => KeywordIndex.TryGetValue(keyword, out var e) ? e : null;

    /// <summary>The keyword for display; private creators and group lengths get generic names.</summary>
    public static string KeywordOf(DicomTag tag)
    {
        if (tag.IsPrivate)
            return tag.IsPrivateCreator ? "PrivateCreator" : tag.IsGroupLength ? "PrivateGroupLength" : "PrivateTag";
        if (tag.IsGroupLength)
            return Lookup(tag)?.Keyword ?? "GroupLength";
        return Lookup(tag)?.Keyword ?? "Unknown";
    }
}
