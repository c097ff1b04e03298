using System.Globalization;
using System.Text.Json;
using Zsad.Dicom.IO;

namespace Zsad.Dicom.Json;

/// <summary>The DICOM JSON model (PS3.18 F.2): keys are 8-hex-digit tags, each with "vr" and "Value"
/// (strings, numbers, PN objects, nested datasets) or "InlineBinary" (base64) for bulk binary VRs.</summary>
public static class DicomJsonWriter
{
    /// <param name="bytewiseUnsupportedText">For character sets Zsad cannot decode (e.g. ISO 2022 IR 87): true writes
    /// such text byte for byte as Latin-1 (the caller says so to the user); false raises NotSupportedException.</param>
    public static string Serialize(DicomDataset dataset, bool indented = true, bool bytewiseUnsupportedText = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, dataset, bytewiseUnsupportedText);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void Write(Utf8JsonWriter writer, DicomDataset dataset, bool bytewiseUnsupportedText = false)
    {
        writer.WriteStartObject();
        var charset = dataset.CharacterSet;
        if (!charset.IsSupported && bytewiseUnsupportedText)
            charset = DicomCharacterSet.Default;
        foreach (var item in dataset)
        {
            writer.WritePropertyName(item.Tag.ToJsonKey());
            writer.WriteStartObject();
            writer.WriteString("vr", item.VR.Code);
            switch (item)
            {
                case DicomSequence seq:
                    if (seq.Items.Count > 0)
                    {
                        writer.WriteStartArray("Value");
                        foreach (var child in seq.Items)
                            Write(writer, child, bytewiseUnsupportedText);
                        writer.WriteEndArray();
                    }
                    break;
                case DicomFragments frags:
                    writer.WriteBase64String("InlineBinary", EncapsulatedBytes(frags));
                    break;
                case DicomElement e:
                    WriteElementValue(writer, e, e.Tag == DicomTags.SpecificCharacterSet ? DicomCharacterSet.Default : charset);
                    break;
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>Encapsulated pixel data as its item-encoded byte stream (offset table, fragments, delimiter).</summary>
    private static byte[] EncapsulatedBytes(DicomFragments frags)
    {
        var ds = new DicomDataset([frags]);
        var encoded = DicomDatasetWriter.Encode(ds, TransferSyntax.ExplicitVRLittleEndian);
        return encoded[12..^8]; // drop the element header and the sequence delimiter, as pydicom and dcmtk do
    }

    private static void WriteElementValue(Utf8JsonWriter writer, DicomElement e, DicomCharacterSet charset)
    {
        if (e.IsEmpty)
            return;
        var vr = e.VR;
        if (vr.IsBulkBinary)
        {
            writer.WriteBase64String("InlineBinary", e.Buffer.Span);
            return;
        }
        writer.WriteStartArray("Value");
        switch (vr.Code)
        {
            case "PN":
                foreach (var name in DicomDataset.DecodeStrings(e, charset).Select(DicomPersonName.Parse))
                {
                    writer.WriteStartObject();
                    if (name.Alphabetic.Length > 0) writer.WriteString("Alphabetic", name.Alphabetic);
                    if (name.Ideographic.Length > 0) writer.WriteString("Ideographic", name.Ideographic);
                    if (name.Phonetic.Length > 0) writer.WriteString("Phonetic", name.Phonetic);
                    writer.WriteEndObject();
                }
                break;
            case "DS":
                foreach (var s in DicomDataset.DecodeStrings(e, charset))
                    WriteNumberText(writer, s, decimalString: true);
                break;
            case "IS":
                foreach (var s in DicomDataset.DecodeStrings(e, charset))
                    WriteNumberText(writer, s, decimalString: false);
                break;
            case "AT":
                foreach (var t in e.GetTags())
                    writer.WriteStringValue(t.ToJsonKey());
                break;
            case "US": foreach (var v in e.GetValues<ushort>()) writer.WriteNumberValue(v); break;
            case "SS": foreach (var v in e.GetValues<short>()) writer.WriteNumberValue(v); break;
            case "UL": foreach (var v in e.GetValues<uint>()) writer.WriteNumberValue(v); break;
            case "SL": foreach (var v in e.GetValues<int>()) writer.WriteNumberValue(v); break;
            case "SV": foreach (var v in e.GetValues<long>()) writer.WriteNumberValue(v); break;
            case "UV": foreach (var v in e.GetValues<ulong>()) writer.WriteNumberValue(v); break;
            case "FL": foreach (var v in e.GetValues<float>()) WriteFloat(writer, v); break;
            case "FD": foreach (var v in e.GetValues<double>()) WriteFloat(writer, v); break;
            default:
                foreach (var s in DicomDataset.DecodeStrings(e, charset))
                {
                    if (s.Length == 0)
                        writer.WriteNullValue(); // PS3.18 F.2.5: an empty value among several is null
                    else
                        writer.WriteStringValue(s);
                }
                break;
        }
        writer.WriteEndArray();
    }

    private static void WriteFloat(Utf8JsonWriter writer, double v)
    {
        if (double.IsFinite(v))
            writer.WriteNumberValue(v);
        else
            writer.WriteStringValue(v.ToString(CultureInfo.InvariantCulture)); // JSON has no NaN/Infinity
    }

    /// <summary>DS and IS become JSON numbers; a value that is not a number is kept as a string so nothing is lost.</summary>
    private static void WriteNumberText(Utf8JsonWriter writer, string s, bool decimalString)
    {
        var t = s.Trim();
        if (t.Length == 0)
        {
            writer.WriteNullValue();
            return;
        }
        if (decimalString && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            writer.WriteNumberValue(d);
        else if (!decimalString && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            writer.WriteNumberValue(n);
        else
            writer.WriteStringValue(t);
    }
}
