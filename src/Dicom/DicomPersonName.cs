namespace Zsad.Dicom;

/// <summary>A PN value (PS3.5 6.2.1): up to three component groups (alphabetic, ideographic, phonetic),
/// each of five '^'-separated components.</summary>
public readonly record struct DicomPersonName(string Alphabetic, string Ideographic = "", string Phonetic = "")
{
    public static DicomPersonName Parse(string value)
    {
        var groups = value.Split('=');
        if (groups.Length > 3)
            throw new FormatException($"PN '{value}' has more than three component groups");
        return new DicomPersonName(groups[0], groups.Length > 1 ? groups[1] : "", groups.Length > 2 ? groups[2] : "");
    }

    public string FamilyName => Component(0);
    public string GivenName => Component(1);
    public string MiddleName => Component(2);
    public string NamePrefix => Component(3);
    public string NameSuffix => Component(4);

    private string Component(int i)
    {
        var parts = Alphabetic.Split('^');
        return i < parts.Length ? parts[i] : "";
    }

    public override string ToString()
    {
        if (Phonetic.Length > 0)
            return $"{Alphabetic}={Ideographic}={Phonetic}";
        return Ideographic.Length > 0 ? $"{Alphabetic}={Ideographic}" : Alphabetic;
    }
}
