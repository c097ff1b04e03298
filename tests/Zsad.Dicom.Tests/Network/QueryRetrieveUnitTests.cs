using Zsad.Dicom.Network;
using Zsad.Dicom.Network.QueryRetrieve;

namespace Zsad.Dicom.Tests.Network;

/// <summary>The Query/Retrieve pieces without a peer: the matching rules of PS3.4 C.2.2.2 a key must follow (each
/// broken rule one line naming the key), the hierarchical unique keys, and the C-FIND/C-GET/C-MOVE/C-CANCEL command sets.</summary>
public class QueryRetrieveUnitTests
{
    [Theory]
    [InlineData("PatientName", "Smith*^J?hn")]   // wildcards in PN
    [InlineData("Modality", "MR")]               // single value
    [InlineData("StudyDate", "20260101-20260131")] // closed range
    [InlineData("StudyDate", "20260101-")]       // open end
    [InlineData("StudyDate", "-20260131")]       // open start
    [InlineData("StudyTime", "0800-1230")]
    [InlineData("AcquisitionDateTime", "20260101120000+0100-20260102")] // DT with a UTC offset, then a range
    [InlineData("StudyInstanceUID", "1.2.3\\1.2.4")] // UID list
    [InlineData("SeriesDescription", "")]        // universal
    public void Match_AcceptsLegalKeys(string keyword, string value)
    {
        var tag = DicomDictionary.LookupKeyword(keyword)!.Tag;
        var query = new DicomQuery(QueryRetrieveModel.StudyRoot, QueryRetrieveLevel.Study).Match(tag, value);
        Assert.Equal(value, query.Identifier.GetString(tag) ?? "");
    }

    [Theory]
    [InlineData("StudyDate", "2026*", "query key StudyDate (DA) '2026*': wildcards match only AE CS LO LT PN SH ST UC UR UT values (PS3.4 C.2.2.2.4)")]
    [InlineData("StudyInstanceUID", "1.2.*", "query key StudyInstanceUID (UI) '1.2.*': wildcards match only AE CS LO LT PN SH ST UC UR UT values (PS3.4 C.2.2.2.4)")]
    [InlineData("StudyDate", "20260131-20260101", "query key StudyDate (DA) '20260131-20260101': the range ends before it starts")]
    [InlineData("StudyDate", "2026-01-01", "query key StudyDate (DA) '2026-01-01': a range is A-B, A- or -B (PS3.4 C.2.2.2.5)")]
    [InlineData("StudyDate", "20261301-", "query key StudyDate (DA) '20261301-': '20261301' is not a valid DA value")]
    [InlineData("StudyDate", "-", "query key StudyDate (DA) '-': a range needs at least one end")]
    [InlineData("Modality", "MR\\CT", "query key Modality (CS) 'MR\\CT': a list of values matches only UIDs (PS3.4 C.2.2.2.2)")]
    [InlineData("StudyInstanceUID", "1.2.3\\1.02", "query key StudyInstanceUID: '1.02' is not a valid UID")]
    [InlineData("Modality", "mr", "query key Modality (CS) 'mr': 'mr' is not a valid CS value")]
    public void Match_RefusesIllegalKeys_WithOneLine(string keyword, string value, string message)
    {
        var tag = DicomDictionary.LookupKeyword(keyword)!.Tag;
        var ex = Assert.Throws<ArgumentException>(() => new DicomQuery(QueryRetrieveModel.StudyRoot, QueryRetrieveLevel.Study).Match(tag, value));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Build_NeedsTheUniqueKeysOfTheLevelsAbove()
    {
        var series = new DicomQuery(QueryRetrieveModel.StudyRoot, QueryRetrieveLevel.Series).Return(DicomTags.SeriesInstanceUID);
        Assert.Equal("a SERIES level query in the StudyRoot model needs one StudyInstanceUID (the unique key of its STUDY level)",
            Assert.Throws<ArgumentException>(series.Build).Message);
        var study = new DicomQuery(QueryRetrieveModel.PatientRoot, QueryRetrieveLevel.Study).Match(DicomTags.PatientID, "P*");
        Assert.Equal("a STUDY level query in the PatientRoot model needs one PatientID (the unique key of its PATIENT level)",
            Assert.Throws<ArgumentException>(study.Build).Message);
        Assert.Throws<ArgumentException>(() => new DicomQuery(QueryRetrieveModel.StudyRoot, QueryRetrieveLevel.Patient));

        var image = DicomQuery.Instances("1.2.3", "1.2.3.4").Build();
        Assert.Equal("IMAGE", image.GetString(DicomTags.QueryRetrieveLevel));
        Assert.Equal("1.2.3.4", image.GetString(DicomTags.SeriesInstanceUID));
        Assert.True(image.Contains(DicomTags.SOPInstanceUID));
        Assert.Equal(0, image.GetElement(DicomTags.SOPInstanceUID).Length); // returned, not matched
    }

    [Fact]
    public void MatchSequence_OneItemWithItsKeys()
    {
        var query = new DicomQuery(QueryRetrieveModel.StudyRoot, QueryRetrieveLevel.Study)
            .MatchSequence(DicomTags.ProcedureCodeSequence, item => item.Match(DicomTags.CodeValue, "MRBRAIN").Match(DicomTags.CodingSchemeDesignator, ""));
        var item = Assert.Single(query.Identifier.GetItems(DicomTags.ProcedureCodeSequence));
        Assert.Equal("MRBRAIN", item.GetString(DicomTags.CodeValue));
        Assert.Throws<ArgumentException>(() => new DicomQuery(QueryRetrieveModel.StudyRoot, QueryRetrieveLevel.Study)
            .MatchSequence(DicomTags.ProcedureCodeSequence, i => i.Match(DicomTags.CodeValue, "A\\B")));
    }

    [Fact]
    public void Commands_RoundTripThroughTheDimseEncoding()
    {
        var move = DimseCommand.Decode(DimseCommand.Encode(DimseCommand.QueryRetrieveRequest(DimseCommand.CMoveRequest, 7, QueryRetrieveSopClasses.StudyRootMove, "ZSAD")));
        Assert.Equal(DimseCommand.CMoveRequest, move.GetInt(DicomTags.CommandField));
        Assert.Equal(7, move.GetInt(DicomTags.MessageID));
        Assert.Equal("ZSAD", move.GetString(DicomTags.MoveDestination));
        Assert.Equal(QueryRetrieveSopClasses.StudyRootMove, move.GetString(DicomTags.AffectedSOPClassUID));
        Assert.True(DimseCommand.HasDataSet(move));

        var cancel = DimseCommand.Decode(DimseCommand.Encode(DimseCommand.CancelRequest(7)));
        Assert.Equal(DimseCommand.CCancelRequest, cancel.GetInt(DicomTags.CommandField));
        Assert.Equal(7, cancel.GetInt(DicomTags.MessageIDBeingRespondedTo));
        Assert.False(DimseCommand.HasDataSet(cancel));

        Assert.Throws<ArgumentException>(() => DimseCommand.QueryRetrieveRequest(DimseCommand.CGetRequest, 1, QueryRetrieveSopClasses.StudyRootGet, "ZSAD"));
        Assert.Throws<ArgumentException>(() => DimseCommand.QueryRetrieveRequest(DimseCommand.CMoveRequest, 1, QueryRetrieveSopClasses.StudyRootMove));
    }
}
