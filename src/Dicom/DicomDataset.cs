using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Zsad.Dicom;

/// <summary>An ordered set of DICOM items (elements, sequences, fragments) with typed value access.
/// Setters validate values (PS3.5 6.2) unless <see cref="ValidateOnSet"/> is off; the reader never validates.</summary>
public sealed class DicomDataset : IEnumerable<DicomItem>
{
    private readonly List<DicomItem> _items = new();

    public DicomDataset() { }

    public DicomDataset(IEnumerable<DicomItem> items)
    {
        foreach (var item in items)
            Set(item);
    }

    /// <summary>The dataset holding the sequence this item belongs to; text inherits its character set.</summary>
    public DicomDataset? Parent { get; internal set; }

    public bool ValidateOnSet { get; set; } = true;

    public int Count => _items.Count;

    /// <summary>The character set of this dataset, inherited from enclosing datasets when it has none of its own.</summary>
    public DicomCharacterSet CharacterSet
    {
        get
        {
            if (TryGetElement(DicomTags.SpecificCharacterSet, out var e))
                return DicomCharacterSet.FromTerms(DecodeStrings(e, DicomCharacterSet.Default));
            return Parent?.CharacterSet ?? DicomCharacterSet.Default;
        }
    }

    // ---- items ---------------------------------------------------------------------------------

    private int IndexOf(DicomTag tag)
    {
        int lo = 0, hi = _items.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = _items[mid].Tag.CompareTo(tag);
            if (c == 0)
                return mid;
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return ~lo;
    }

    /// <summary>Adds or replaces an item, keeping tag order.</summary>
    public DicomDataset Set(DicomItem item)
    {
        if (item is DicomSequence seq)
            foreach (var child in seq.Items)
                child.Parent = this;
        if (_items.Count == 0 || _items[^1].Tag < item.Tag)
        {
            _items.Add(item); // the common case while reading: tags arrive in order
            return this;
        }
        var i = IndexOf(item.Tag);
        if (i >= 0)
            _items[i] = item;
        else
            _items.Insert(~i, item);
        return this;
    }

    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    public bool Remove(DicomTag tag)
    {
        var i = IndexOf(tag);
        if (i < 0)
            return false;
        _items.RemoveAt(i);
        return true;
    }

    public DicomItem? this[DicomTag tag]
    {
        get
        {
            var i = IndexOf(tag);
            return i >= 0 ? _items[i] : null;
        }
    }

    public bool TryGetElement(DicomTag tag, out DicomElement element)
    {
        if (this[tag] is DicomElement e)
        {
            element = e;
            return true;
        }
        element = null!;
        return false;
    }

    public DicomElement GetElement(DicomTag tag)
        => TryGetElement(tag, out var e) ? e : throw Missing(tag);

    private static KeyNotFoundException Missing(DicomTag tag)
        => new($"{tag} {DicomDictionary.KeywordOf(tag)} is missing");

    public IEnumerator<DicomItem> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A copy whose items share value buffers with this dataset (values are immutable).</summary>
    public DicomDataset Clone()
    {
        var copy = new DicomDataset { ValidateOnSet = ValidateOnSet };
        foreach (var item in _items)
            copy._items.Add(item is DicomSequence s ? CloneSequence(s, copy) : item);
        return copy;
    }

    private static DicomSequence CloneSequence(DicomSequence s, DicomDataset parent)
    {
        var clone = new DicomSequence(s.Tag, s.Items.Select(i => i.Clone()));
        foreach (var child in clone.Items)
            child.Parent = parent;
        return clone;
    }

    // ---- strings -------------------------------------------------------------------------------

    private static DicomVR VROf(DicomTag tag, DicomVR? vr)
        => vr ?? (tag.IsPrivateCreator ? DicomVR.LO : DicomDictionary.Lookup(tag)?.DefaultVR
            ?? throw new ArgumentException($"{tag} is not in the dictionary: give its VR"));

    /// <summary>Sets a string-VR element from its values (joined with '\'), encoded in this dataset's character set.</summary>
    public DicomDataset SetString(DicomTag tag, DicomVR? vr, params string[] values)
    {
        var v = VROf(tag, vr);
        if (!v.IsString)
            throw new ArgumentException($"{tag}: {v} is not a string VR");
        if (ValidateOnSet)
            DicomValidation.ValidateStrings(tag, v, values);
        var charset = tag == DicomTags.SpecificCharacterSet ? DicomCharacterSet.Default : CharacterSet;
        var text = string.Join('\\', values);
        if (ValidateOnSet)
            CheckRepertoire(tag, v, text, charset);
        var encoding = v.UsesCharacterSet ? charset.Encoding : System.Text.Encoding.ASCII;
        var bytes = encoding.GetBytes(text);
        return Set(new DicomElement(tag, v, Pad(bytes, v.PadByte)));
    }

    public DicomDataset SetString(DicomTag tag, params string[] values) => SetString(tag, null, values);

    private static void CheckRepertoire(DicomTag tag, DicomVR vr, string text, DicomCharacterSet charset)
    {
        var max = !vr.UsesCharacterSet || charset == DicomCharacterSet.Default ? 0x7F
            : charset == DicomCharacterSet.Latin1 ? 0xFF : int.MaxValue;
        foreach (var c in text)
            if (c > max)
                throw new DicomValidationException(tag, vr,
                    $"character '{c}' is outside the repertoire of character set {(vr.UsesCharacterSet ? charset.ToString() : "default (ASCII)")}; set SpecificCharacterSet first");
    }

    internal static ReadOnlyMemory<byte> Pad(byte[] bytes, byte pad)
    {
        if (bytes.Length % 2 == 0)
            return bytes;
        var padded = new byte[bytes.Length + 1];
        bytes.CopyTo(padded, 0);
        padded[^1] = pad;
        return padded;
    }

    /// <summary>The whole value as text (all values joined by '\'), trailing padding removed; null when absent.</summary>
    public string? GetString(DicomTag tag)
    {
        if (!TryGetElement(tag, out var e))
            return null;
        return DecodeText(e, CharacterSetFor(tag));
    }

    public string GetRequiredString(DicomTag tag) => GetString(tag) ?? throw Missing(tag);

    /// <summary>The values of a string element (split at '\' unless the VR is single-valued); empty when absent.</summary>
    public string[] GetStrings(DicomTag tag)
        => TryGetElement(tag, out var e) ? DecodeStrings(e, CharacterSetFor(tag)) : [];

    private DicomCharacterSet CharacterSetFor(DicomTag tag)
        => tag == DicomTags.SpecificCharacterSet ? DicomCharacterSet.Default : CharacterSet;

    internal static string DecodeText(DicomElement e, DicomCharacterSet charset)
    {
        var vr = e.VR;
        if (!vr.IsString)
            throw new InvalidOperationException($"{e.Tag} has VR {vr}, not a string VR");
        if (vr.UsesCharacterSet && !charset.IsSupported)
            throw new NotSupportedException($"{e.Tag}: character set '{charset.Term}' is not supported; the raw bytes are kept unchanged");
        var text = (vr.UsesCharacterSet ? charset.Encoding : System.Text.Encoding.Latin1).GetString(e.Buffer.Span);
        return TrimValue(vr, text);
    }

    internal static string[] DecodeStrings(DicomElement e, DicomCharacterSet charset)
    {
        if (e.IsEmpty)
            return [];
        var text = DecodeText(e, charset);
        if (e.VR.IsSingleValuedText)
            return [text];
        var values = text.Split('\\');
        for (var i = 0; i < values.Length; i++)
            values[i] = TrimValue(e.VR, values[i]);
        return values;
    }

    /// <summary>Trailing spaces and NULs are padding in every string VR; leading spaces are insignificant too
    /// except in the free-text VRs (PS3.5 6.2).</summary>
    private static string TrimValue(DicomVR vr, string s)
    {
        s = s.TrimEnd(' ', '\0');
        return vr.Code is "ST" or "LT" or "UT" or "UR" or "UC" or "PN" ? s : s.TrimStart(' ');
    }

    // ---- numbers -------------------------------------------------------------------------------

    /// <summary>Sets binary numeric values (US, SS, UL, SL, FL, FD, SV, UV, or OW/OF/OD/OL/OV/OB arrays).</summary>
    public DicomDataset SetValues<T>(DicomTag tag, DicomVR? vr, params T[] values) where T : unmanaged
    {
        var v = VROf(tag, vr);
        if (v.IsString || v.IsSequence)
            throw new ArgumentException($"{tag}: use SetString for VR {v}");
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        if (ValidateOnSet && v.UnitSize > 1 && v != DicomVR.AT && bytes.Length % v.UnitSize != 0)
            throw new DicomValidationException(tag, v, $"{bytes.Length} bytes is not a multiple of {v.UnitSize}");
        return Set(new DicomElement(tag, v, Pad(bytes, 0)));
    }

    public DicomDataset SetValues<T>(DicomTag tag, params T[] values) where T : unmanaged => SetValues(tag, null, values);

    public DicomDataset SetBytes(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> bytes)
        => Set(new DicomElement(tag, vr, bytes.Length % 2 == 0 ? bytes : Pad(bytes.ToArray(), vr.IsString ? vr.PadByte : (byte)0)));

    public T[] GetValues<T>(DicomTag tag) where T : unmanaged
        => TryGetElement(tag, out var e) ? e.GetValues<T>() : [];

    /// <summary>The value at index as T, or the fallback when absent.</summary>
    public T GetValueOrDefault<T>(DicomTag tag, int index, T fallback) where T : unmanaged
    {
        var values = GetValues<T>(tag);
        return index < values.Length ? values[index] : fallback;
    }

    public ReadOnlyMemory<byte> GetBytes(DicomTag tag) => TryGetElement(tag, out var e) ? e.Buffer : ReadOnlyMemory<byte>.Empty;

    /// <summary>Numeric values of any numeric VR: DS and IS text, or binary US/SS/UL/SL/FL/FD/SV/UV.</summary>
    public double[] GetDoubles(DicomTag tag)
    {
        if (!TryGetElement(tag, out var e))
            return [];
        if (e.VR.IsString)
            return DecodeStrings(e, DicomCharacterSet.Default).Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d : throw new DicomFormatException($"{tag} {DicomDictionary.KeywordOf(tag)}: {e.VR} value '{s}' is not a number")).ToArray();
        return e.VR.Code switch
        {
            "US" => Array.ConvertAll(e.GetValues<ushort>(), x => (double)x),
            "SS" => Array.ConvertAll(e.GetValues<short>(), x => (double)x),
            "UL" => Array.ConvertAll(e.GetValues<uint>(), x => (double)x),
            "SL" => Array.ConvertAll(e.GetValues<int>(), x => (double)x),
            "FL" or "OF" => Array.ConvertAll(e.GetValues<float>(), x => (double)x),
            "FD" or "OD" => e.GetValues<double>(),
            "SV" => Array.ConvertAll(e.GetValues<long>(), x => (double)x),
            "UV" => Array.ConvertAll(e.GetValues<ulong>(), x => (double)x),
            _ => throw new InvalidOperationException($"{tag} has VR {e.VR}, which holds no numbers"),
        };
    }

    public double? GetDouble(DicomTag tag, int index = 0)
    {
        var values = GetDoubles(tag);
        return index < values.Length ? values[index] : null;
    }

    public int? GetInt(DicomTag tag, int index = 0)
    {
        var v = GetDouble(tag, index);
        if (v is null)
            return null;
        if (v.Value is < int.MinValue or > int.MaxValue || double.IsNaN(v.Value))
            throw new DicomFormatException($"{tag} {DicomDictionary.KeywordOf(tag)}: value {v} does not fit an integer");
        return (int)v.Value;
    }

    public int GetRequiredInt(DicomTag tag, int index = 0) => GetInt(tag, index) ?? throw Missing(tag);

    /// <summary>Sets DS or IS values from numbers, formatted in the shortest form that fits the VR.</summary>
    public DicomDataset SetNumbers(DicomTag tag, DicomVR? vr, params double[] values)
    {
        var v = VROf(tag, vr);
        return v.Code switch
        {
            "DS" => SetString(tag, v, values.Select(FormatDecimalString).ToArray()),
            "IS" => SetString(tag, v, values.Select(x => checked((int)x).ToString(CultureInfo.InvariantCulture)).ToArray()),
            "US" => SetValues(tag, v, values.Select(x => checked((ushort)x)).ToArray()),
            "SS" => SetValues(tag, v, values.Select(x => checked((short)x)).ToArray()),
            "UL" => SetValues(tag, v, values.Select(x => checked((uint)x)).ToArray()),
            "SL" => SetValues(tag, v, values.Select(x => checked((int)x)).ToArray()),
            "FL" => SetValues(tag, v, values.Select(x => (float)x).ToArray()),
            "FD" => SetValues(tag, v, values),
            _ => throw new ArgumentException($"{tag}: VR {v} holds no numbers"),
        };
    }

    public DicomDataset SetNumbers(DicomTag tag, params double[] values) => SetNumbers(tag, null, values);

    /// <summary>DS allows 16 characters: use round-trip form when it fits, else fewer significant digits.</summary>
    public static string FormatDecimalString(double value)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"DS cannot hold {value}");
        var s = value.ToString("R", CultureInfo.InvariantCulture);
        for (var digits = 15; s.Length > 16 && digits > 1; digits--)
            s = value.ToString("G" + digits, CultureInfo.InvariantCulture);
        return s;
    }

    // ---- dates, times, names, tags, sequences ---------------------------------------------------

    public DateOnly? GetDate(DicomTag tag)
    {
        var s = GetString(tag);
        return string.IsNullOrEmpty(s) ? null : DateOnly.ParseExact(s, "yyyyMMdd", CultureInfo.InvariantCulture);
    }

    public DicomDataset SetDate(DicomTag tag, DateOnly date)
        => SetString(tag, DicomVR.DA, date.ToString("yyyyMMdd", CultureInfo.InvariantCulture));

    /// <summary>TM: HH[MM[SS[.F{1,6}]]], also the ACR-NEMA 'HH:MM:SS' form found in old files.</summary>
    public TimeOnly? GetTime(DicomTag tag)
    {
        var s = GetString(tag)?.Replace(":", "", StringComparison.Ordinal);
        if (string.IsNullOrEmpty(s))
            return null;
        var h = int.Parse(s[..2], CultureInfo.InvariantCulture);
        var m = s.Length >= 4 ? int.Parse(s[2..4], CultureInfo.InvariantCulture) : 0;
        var sec = s.Length >= 6 ? Math.Min(59, int.Parse(s[4..6], CultureInfo.InvariantCulture)) : 0; // leap second 60 clamps
        var frac = s.Length > 7 ? int.Parse(s[7..].PadRight(6, '0')[..6], CultureInfo.InvariantCulture) : 0;
        return new TimeOnly(h, m, sec).Add(TimeSpan.FromTicks(frac * 10L));
    }

    public DicomDataset SetTime(DicomTag tag, TimeOnly time)
        => SetString(tag, DicomVR.TM, time.ToString("HHmmss.ffffff", CultureInfo.InvariantCulture));

    /// <summary>DT: YYYY[MM[DD[HH[MM[SS[.F]]]]]][&amp;ZZXX]; missing parts take their lowest value.</summary>
    public DateTimeOffset? GetDateTime(DicomTag tag)
    {
        var s = GetString(tag);
        if (string.IsNullOrEmpty(s))
            return null;
        var offset = TimeSpan.Zero;
        var z = s.IndexOfAny(['+', '-'], 4);
        if (z > 0)
        {
            var sign = s[z] == '-' ? -1 : 1;
            offset = sign * new TimeSpan(int.Parse(s[(z + 1)..(z + 3)], CultureInfo.InvariantCulture), int.Parse(s[(z + 3)..(z + 5)], CultureInfo.InvariantCulture), 0);
            s = s[..z];
        }
        int Part(int start, int len, int fallback) => s.Length >= start + len ? int.Parse(s.Substring(start, len), CultureInfo.InvariantCulture) : fallback;
        var frac = s.Length > 15 ? int.Parse(s[15..].PadRight(6, '0')[..6], CultureInfo.InvariantCulture) : 0;
        var dt = new DateTime(Part(0, 4, 1), Part(4, 2, 1), Part(6, 2, 1), Part(8, 2, 0), Part(10, 2, 0), Math.Min(59, Part(12, 2, 0)));
        return new DateTimeOffset(dt.AddTicks(frac * 10L), offset);
    }

    public DicomDataset SetDateTime(DicomTag tag, DateTimeOffset value)
        => SetString(tag, DicomVR.DT, value.ToString("yyyyMMddHHmmss.ffffff", CultureInfo.InvariantCulture)
            + (value.Offset < TimeSpan.Zero ? "-" : "+") + value.Offset.ToString("hhmm", CultureInfo.InvariantCulture));

    public DicomPersonName[] GetPersonNames(DicomTag tag) => GetStrings(tag).Select(DicomPersonName.Parse).ToArray();

    public DicomPersonName? GetPersonName(DicomTag tag)
    {
        var names = GetPersonNames(tag);
        return names.Length > 0 ? names[0] : null;
    }

    public DicomDataset SetPersonName(DicomTag tag, params DicomPersonName[] names)
        => SetString(tag, DicomVR.PN, names.Select(n => n.ToString()).ToArray());

    public DicomTag[] GetTags(DicomTag tag) => TryGetElement(tag, out var e) ? e.GetTags() : [];

    public DicomDataset SetTags(DicomTag tag, params DicomTag[] tags)
    {
        var bytes = new byte[tags.Length * 4];
        for (var i = 0; i < tags.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4 * i), tags[i].Group);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4 * i + 2), tags[i].Element);
        }
        return Set(new DicomElement(tag, DicomVR.AT, bytes));
    }

    public DicomSequence? GetSequence(DicomTag tag) => this[tag] as DicomSequence;

    /// <summary>The items of a sequence; empty when absent.</summary>
    public IReadOnlyList<DicomDataset> GetItems(DicomTag tag) => GetSequence(tag)?.Items ?? [];

    public DicomDataset SetSequence(DicomTag tag, params DicomDataset[] items) => Set(new DicomSequence(tag, items));

    /// <summary>Adds an item to a sequence, creating the sequence when absent.</summary>
    public DicomDataset AddItem(DicomTag tag, DicomDataset item)
    {
        var seq = GetSequence(tag);
        if (seq is null)
        {
            seq = new DicomSequence(tag);
            Set(seq);
        }
        seq.Items.Add(item);
        item.Parent = this;
        return this;
    }
}
