using System.Text.RegularExpressions;

namespace Zsad.Dicom;

/// <summary>Raised when a value set on a dataset breaks its VR's rules (length, repertoire, format).</summary>
public sealed class DicomValidationException(DicomTag tag, DicomVR vr, string message)
    : ArgumentException($"{tag} {vr}: {message}")
{
    public DicomTag Tag { get; } = tag;
    public DicomVR VR { get; } = vr;
}

/// <summary>PS3.5 6.2 value rules, checked when values are written; reading never enforces them.</summary>
public static partial class DicomValidation
{
    [GeneratedRegex(@"^[A-Z0-9 _]*$")] private static partial Regex CodeString();
    [GeneratedRegex(@"^\d{8}$")] private static partial Regex Date();
    [GeneratedRegex(@"^([01]\d|2[0-3])([0-5]\d(([0-5]\d|60)(\.\d{1,6})?)?)?$")] private static partial Regex Time();
    [GeneratedRegex(@"^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$")] private static partial Regex DateTime();
    [GeneratedRegex(@"^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *$")] private static partial Regex DecimalString();
    [GeneratedRegex(@"^ *[+-]?\d+ *$")] private static partial Regex IntegerString();
    [GeneratedRegex(@"^\d{3}[DWMY]$")] private static partial Regex AgeString();

    /// <summary>Throws <see cref="DicomValidationException"/> unless each value is legal for the VR.</summary>
    public static void ValidateStrings(DicomTag tag, DicomVR vr, IReadOnlyList<string> values)
    {
        if (values.Count > 1 && vr.IsSingleValuedText)
            throw new DicomValidationException(tag, vr, "this VR holds a single value");
        foreach (var value in values)
        {
            if (value.Length == 0)
                continue; // empty values are legal in every string VR
            if (!vr.IsSingleValuedText && value.Contains('\\'))
                throw new DicomValidationException(tag, vr, $"value '{value}' contains the value delimiter '\\'");
            var limit = vr == DicomVR.PN ? 64 : vr.MaxLength;
            if (vr == DicomVR.PN)
            {
                foreach (var group in value.Split('='))
                    if (group.Length > limit)
                        throw new DicomValidationException(tag, vr, $"component group '{group}' is longer than 64 characters");
            }
            else if (limit > 0 && value.Length > limit)
            {
                throw new DicomValidationException(tag, vr, $"value of {value.Length} characters exceeds the maximum of {limit}");
            }
            var ok = vr.Code switch
            {
                "CS" => CodeString().IsMatch(value),
                "DA" => Date().IsMatch(value) && System.DateTime.TryParseExact(value, "yyyyMMdd", null, System.Globalization.DateTimeStyles.None, out _),
                "TM" => Time().IsMatch(value),
                "DT" => DateTime().IsMatch(value),
                "DS" => DecimalString().IsMatch(value),
                "IS" => IntegerString().IsMatch(value) && long.TryParse(value.Trim(), out var n) && n is >= int.MinValue and <= int.MaxValue,
                "AS" => AgeString().IsMatch(value),
                "UI" => DicomUid.IsValid(value),
                "AE" => value.Trim().Length > 0 && value.All(c => c >= 0x20 && c < 0x7F),
                "ST" or "LT" or "UT" => value.All(c => c >= 0x20 || c is '\r' or '\n' or '\t' or '\f' or '\x1b'),
                "UR" => !value.StartsWith(' ') && value.All(c => c > 0x20 && c < 0x7F),
                _ => value.All(c => c >= 0x20 || c == '\x1b'), // SH LO PN UC: no control characters but ESC
            };
            if (!ok)
                throw new DicomValidationException(tag, vr, $"'{value}' is not a valid {vr.Code} value");
        }
    }
}
