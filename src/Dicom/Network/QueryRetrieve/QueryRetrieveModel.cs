namespace Zsad.Dicom.Network.QueryRetrieve;

/// <summary>The information model a query is made in (PS3.4 C.6): Patient Root starts at PATIENT, Study Root at
/// STUDY (its studies carry the patient attributes).</summary>
public enum QueryRetrieveModel
{
    PatientRoot,
    StudyRoot,
}

/// <summary>QueryRetrieveLevel (0008,0052) values (PS3.4 C.6.1.1, C.6.2.1).</summary>
public enum QueryRetrieveLevel
{
    Patient,
    Study,
    Series,
    Image,
}

/// <summary>The Query/Retrieve SOP classes (PS3.4 C.6 and B.5) and the names PS3.4 gives levels on the wire.</summary>
public static class QueryRetrieveSopClasses
{
    public const string PatientRootFind = "1.2.840.10008.5.1.4.1.2.1.1";
    public const string PatientRootMove = "1.2.840.10008.5.1.4.1.2.1.2";
    public const string PatientRootGet = "1.2.840.10008.5.1.4.1.2.1.3";
    public const string StudyRootFind = "1.2.840.10008.5.1.4.1.2.2.1";
    public const string StudyRootMove = "1.2.840.10008.5.1.4.1.2.2.2";
    public const string StudyRootGet = "1.2.840.10008.5.1.4.1.2.2.3";

    public static string Find(QueryRetrieveModel model) => model == QueryRetrieveModel.PatientRoot ? PatientRootFind : StudyRootFind;

    public static string Move(QueryRetrieveModel model) => model == QueryRetrieveModel.PatientRoot ? PatientRootMove : StudyRootMove;

    public static string Get(QueryRetrieveModel model) => model == QueryRetrieveModel.PatientRoot ? PatientRootGet : StudyRootGet;

    public static string Name(string sopClassUid) => sopClassUid switch
    {
        PatientRootFind => "Patient Root Query/Retrieve - FIND",
        PatientRootMove => "Patient Root Query/Retrieve - MOVE",
        PatientRootGet => "Patient Root Query/Retrieve - GET",
        StudyRootFind => "Study Root Query/Retrieve - FIND",
        StudyRootMove => "Study Root Query/Retrieve - MOVE",
        StudyRootGet => "Study Root Query/Retrieve - GET",
        _ => DicomUid.NameOf(sopClassUid) ?? sopClassUid,
    };

    public static string LevelName(QueryRetrieveLevel level) => level switch
    {
        QueryRetrieveLevel.Patient => "PATIENT",
        QueryRetrieveLevel.Study => "STUDY",
        QueryRetrieveLevel.Series => "SERIES",
        _ => "IMAGE",
    };
}
