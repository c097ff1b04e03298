namespace Zsad.Dicom.Network;

/// <summary>The acceptor answered A-ASSOCIATE-RQ with A-ASSOCIATE-RJ.</summary>
public sealed class DicomAssociationRejectedException(AssociateReject reject)
    : Exception($"association rejected: {reject}")
{
    public AssociateReject Reject { get; } = reject;
}
