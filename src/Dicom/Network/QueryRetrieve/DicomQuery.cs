using System.Globalization;

namespace Zsad.Dicom.Network.QueryRetrieve;

/// <summary>The identifier of a C-FIND, C-GET or C-MOVE: model, level, and the keys with their matching (PS3.4 C.2.2.2).
/// Every key is checked when it is added, so a query the SCP would misread fails here with one line naming the key:
/// wildcards only in AE CS LO LT PN SH ST UC UR UT, ranges only in DA TM DT, value lists only of UIDs, a sequence
/// key with one item. Matching itself is the SCP's work; an empty key asks it to return the attribute.</summary>
public sealed class DicomQuery
{
    private static readonly HashSet<string> WildcardVRs = ["AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UR", "UT"];
    private static readonly HashSet<string> RangeVRs = ["DA", "TM", "DT"];

    public DicomQuery(QueryRetrieveModel model, QueryRetrieveLevel level)
    {
        if (model == QueryRetrieveModel.StudyRoot && level == QueryRetrieveLevel.Patient)
            throw new ArgumentException("the Study Root model has no PATIENT level (PS3.4 C.6.2)", nameof(level));
        Model = model;
        Level = level;
        // Keys hold wildcards and ranges that value validation would refuse: they are checked here instead.
        Identifier = new DicomDataset { ValidateOnSet = false };
        Identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, QueryRetrieveSopClasses.LevelName(level));
    }

    public QueryRetrieveModel Model { get; }
    public QueryRetrieveLevel Level { get; }
    public DicomDataset Identifier { get; }

    /// <summary>Studies (Study Root), every study attribute a replay needs returned.</summary>
    public static DicomQuery Studies() => new DicomQuery(QueryRetrieveModel.StudyRoot, QueryRetrieveLevel.Study)
        .Return(DicomTags.StudyInstanceUID, DicomTags.StudyDate, DicomTags.StudyDescription, DicomTags.PatientID, DicomTags.PatientName,
            DicomTags.AccessionNumber, DicomTags.ModalitiesInStudy);

    /// <summary>The series of one study (Study Root).</summary>
    public static DicomQuery Series(string studyInstanceUid) => new DicomQuery(QueryRetrieveModel.StudyRoot, QueryRetrieveLevel.Series)
        .Match(DicomTags.StudyInstanceUID, studyInstanceUid)
        .Return(DicomTags.SeriesInstanceUID, DicomTags.Modality, DicomTags.SeriesDescription, DicomTags.SeriesNumber,
            DicomTags.NumberOfSeriesRelatedInstances);

    /// <summary>The instances of one series (Study Root).</summary>
    public static DicomQuery Instances(string studyInstanceUid, string seriesInstanceUid) => new DicomQuery(QueryRetrieveModel.StudyRoot, QueryRetrieveLevel.Image)
        .Match(DicomTags.StudyInstanceUID, studyInstanceUid)
        .Match(DicomTags.SeriesInstanceUID, seriesInstanceUid)
        .Return(DicomTags.SOPInstanceUID, DicomTags.SOPClassUID, DicomTags.InstanceNumber);

    /// <summary>A retrieve (C-GET/C-MOVE) identifier of one series: its unique keys only (PS3.4 C.4.2.2.1).</summary>
    public static DicomQuery RetrieveSeries(string studyInstanceUid, string seriesInstanceUid) => new DicomQuery(QueryRetrieveModel.StudyRoot, QueryRetrieveLevel.Series)
        .Match(DicomTags.StudyInstanceUID, studyInstanceUid)
        .Match(DicomTags.SeriesInstanceUID, seriesInstanceUid);

    /// <summary>Keys returned but not matched on (universal matching: zero length).</summary>
    public DicomQuery Return(params DicomTag[] tags)
    {
        foreach (var tag in tags)
        {
            if (Identifier.Contains(tag))
                continue;
            var vr = VrOf(tag);
            if (vr == DicomVR.SQ)
                Identifier.SetSequence(tag);
            else
                Identifier.Set(new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty));
        }
        return this;
    }

    /// <summary>A key matched on: a single value, a wildcard pattern (* and ?), a range (A-B, A-, -B in DA/TM/DT),
    /// a list of UIDs separated by '\', or empty (universal: returned only).</summary>
    public DicomQuery Match(DicomTag tag, string value)
    {
        var vr = VrOf(tag);
        var name = DicomDictionary.KeywordOf(tag);
        if (vr == DicomVR.SQ)
            throw new ArgumentException($"query key {name} is a sequence: use MatchSequence");
        if (!vr.IsString)
            throw new ArgumentException($"query key {name} ({vr}) is binary: C-FIND matches only on string values here");
        CheckKey(name, vr, value);
        Identifier.SetString(tag, vr, value);
        return this;
    }

    /// <summary>A date range key (either end open).</summary>
    public DicomQuery MatchDateRange(DicomTag tag, DateOnly? from, DateOnly? to)
    {
        if (from is null && to is null)
            return Return(tag);
        var text = (from?.ToString("yyyyMMdd", CultureInfo.InvariantCulture) ?? "") + "-" + (to?.ToString("yyyyMMdd", CultureInfo.InvariantCulture) ?? "");
        if (from == to)
            text = from!.Value.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return Match(tag, text);
    }

    /// <summary>Sequence matching (PS3.4 C.2.2.2.6): one item whose keys are matched like any other.</summary>
    public DicomQuery MatchSequence(DicomTag tag, Action<DicomQueryItem> keys)
    {
        var name = DicomDictionary.KeywordOf(tag);
        if (VrOf(tag) != DicomVR.SQ)
            throw new ArgumentException($"query key {name} is not a sequence");
        var item = new DicomQueryItem();
        keys(item);
        Identifier.SetSequence(tag, item.Dataset);
        return this;
    }

    /// <summary>The identifier, after checking that every level above the query level is fixed by its unique key
    /// (PS3.4 C.4.1.2.2.1 hierarchical search): single values there.</summary>
    public DicomDataset Build()
    {
        foreach (var (level, key) in RequiredUniqueKeys())
        {
            var value = Identifier.GetString(key);
            if (string.IsNullOrEmpty(value) || value.Contains('\\') || value.Contains('*') || value.Contains('?'))
                throw new ArgumentException($"a {QueryRetrieveSopClasses.LevelName(Level)} level query in the {Model} model needs one {DicomDictionary.KeywordOf(key)} (the unique key of its {QueryRetrieveSopClasses.LevelName(level)} level)");
        }
        return Identifier;
    }

    private IEnumerable<(QueryRetrieveLevel, DicomTag)> RequiredUniqueKeys()
    {
        if (Model == QueryRetrieveModel.PatientRoot && Level > QueryRetrieveLevel.Patient)
            yield return (QueryRetrieveLevel.Patient, DicomTags.PatientID);
        if (Level > QueryRetrieveLevel.Study)
            yield return (QueryRetrieveLevel.Study, DicomTags.StudyInstanceUID);
        if (Level > QueryRetrieveLevel.Series)
            yield return (QueryRetrieveLevel.Series, DicomTags.SeriesInstanceUID);
    }

    private static DicomVR VrOf(DicomTag tag)
        => DicomDictionary.Lookup(tag)?.DefaultVR ?? throw new ArgumentException($"query key {tag} is not in the dictionary");

    internal static void CheckKey(string name, DicomVR vr, string value)
    {
        if (value.Length == 0)
            return;
        var code = vr.Code;
        if ((value.Contains('*') || value.Contains('?')) && !WildcardVRs.Contains(code))
            throw new ArgumentException($"query key {name} ({code}) '{value}': wildcards match only AE CS LO LT PN SH ST UC UR UT values (PS3.4 C.2.2.2.4)");
        if (value.Contains('\\'))
        {
            if (vr != DicomVR.UI)
                throw new ArgumentException($"query key {name} ({code}) '{value}': a list of values matches only UIDs (PS3.4 C.2.2.2.2)");
            foreach (var uid in value.Split('\\'))
                if (!DicomUid.IsValid(uid))
                    throw new ArgumentException($"query key {name}: '{uid}' is not a valid UID");
            return;
        }
        if (RangeVRs.Contains(code) && (code == "DT" ? FindDateTimeRangeDash(value) >= 0 : value.Contains('-')))
        {
            CheckRange(name, vr, value);
            return;
        }
        var plain = WildcardVRs.Contains(code) ? value.Replace("*", "", StringComparison.Ordinal).Replace("?", "", StringComparison.Ordinal) : value;
        if (plain.Length == 0)
            return;
        try
        {
            DicomValidation.ValidateStrings(DicomTags.QueryRetrieveLevel, vr, [plain]);
        }
        catch (DicomValidationException ex)
        {
            throw new ArgumentException($"query key {name} ({code}) '{value}': {ex.Message[(ex.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..]}");
        }
    }

    private static void CheckRange(string name, DicomVR vr, string value)
    {
        // A DT value may itself hold a '-' for its UTC offset; a range splits at the '-' that separates two values.
        var dash = vr == DicomVR.DT ? FindDateTimeRangeDash(value) : value.IndexOf('-');
        if (dash < 0 || (vr != DicomVR.DT && value.IndexOf('-', dash + 1) >= 0))
            throw new ArgumentException($"query key {name} ({vr.Code}) '{value}': a range is A-B, A- or -B (PS3.4 C.2.2.2.5)");
        var from = value[..dash];
        var to = value[(dash + 1)..];
        if (from.Length == 0 && to.Length == 0)
            throw new ArgumentException($"query key {name} ({vr.Code}) '{value}': a range needs at least one end");
        foreach (var end in new[] { from, to })
        {
            if (end.Length == 0)
                continue;
            try
            {
                DicomValidation.ValidateStrings(DicomTags.QueryRetrieveLevel, vr, [end]);
            }
            catch (DicomValidationException)
            {
                throw new ArgumentException($"query key {name} ({vr.Code}) '{value}': '{end}' is not a valid {vr.Code} value");
            }
        }
        if (from.Length > 0 && to.Length > 0 && vr == DicomVR.DA && string.CompareOrdinal(from, to) > 0)
            throw new ArgumentException($"query key {name} ({vr.Code}) '{value}': the range ends before it starts");
    }

    private static int FindDateTimeRangeDash(string value)
    {
        // The range dash is followed by a year (4 digits) or ends the value; an offset dash follows 4+ digits and precedes exactly 4.
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '-')
                continue;
            var rest = value[(i + 1)..];
            var isOffset = i > 0 && rest.Length >= 4 && rest[..4].All(char.IsAsciiDigit) && (rest.Length == 4 || rest[4] == '-');
            if (!isOffset)
                return i;
        }
        return -1;
    }
}

/// <summary>The one item of a sequence key.</summary>
public sealed class DicomQueryItem
{
    internal DicomDataset Dataset { get; } = new() { ValidateOnSet = false };

    public DicomQueryItem Match(DicomTag tag, string value)
    {
        var vr = DicomDictionary.Lookup(tag)?.DefaultVR ?? throw new ArgumentException($"query key {tag} is not in the dictionary");
        if (!vr.IsString)
            throw new ArgumentException($"query key {DicomDictionary.KeywordOf(tag)} ({vr}) is not a string key");
        DicomQuery.CheckKey(DicomDictionary.KeywordOf(tag), vr, value);
        Dataset.SetString(tag, vr, value);
        return this;
    }
}
