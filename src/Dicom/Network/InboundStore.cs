using Microsoft.Extensions.Logging;
using Zsad.Dicom.IO;

namespace Zsad.Dicom.Network;

/// <summary>One received C-STORE-RQ turned into a status: parse (optional), hand to the storage callback, map its
/// failure to a status. Shared by the SCP and by the C-GET SCU, which is a storage SCP inside its own association.</summary>
internal static class InboundStore
{
    public delegate ReceivedInstance InstanceFactory(ReadOnlyMemory<byte> data, DicomDataset? dataset, TransferSyntax syntax);

    public static async Task<(ushort Status, string? Comment)> StoreAsync(DimseMessage message, PresentationContext pc, string sopClass, string sopInstance,
        bool parse, long maxDatasetLength, InstanceFactory makeInstance, Func<ReceivedInstance, CancellationToken, ValueTask> store,
        ILogger logger, string associationId, CancellationToken ct)
    {
        if (message.Dataset is not { } data)
            return (DicomStatus.CannotUnderstand, "C-STORE-RQ without a dataset");
        if (!DicomUid.IsValid(sopInstance))
            return (DicomStatus.CannotUnderstand, "AffectedSOPInstanceUID is not a valid UID");

        var syntax = TransferSyntax.Get(pc.AcceptedTransferSyntax!);
        DicomDataset? dataset = null;
        if (parse)
        {
            try
            {
                var plain = syntax.IsDeflated ? Part10.Inflate(data, maxDatasetLength) : data;
                dataset = DicomDatasetReader.Read(plain, syntax);
            }
            catch (Exception ex) when (ex is DicomFormatException or ArgumentException or InvalidOperationException or OverflowException)
            {
                return (DicomStatus.CannotUnderstand, "dataset cannot be parsed: " + ex.Message);
            }
            var dsClass = dataset.GetString(DicomTags.SOPClassUID);
            var dsInstance = dataset.GetString(DicomTags.SOPInstanceUID);
            if (dsClass != sopClass || dsInstance != sopInstance)
                return (DicomStatus.DataSetDoesNotMatchSopClass, "dataset SOP Class/Instance UID differ from the command");
        }

        var instance = makeInstance(data, dataset, syntax);
        try
        {
            await store(instance, ct).ConfigureAwait(false);
            return (DicomStatus.Success, null);
        }
        catch (DicomStorageException ex)
        {
            return (ex.Status, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OutOfMemoryException or InsufficientExecutionStackException)
        {
            logger.LogError(ex, "{AssociationId} storage of {SopInstanceUid} failed", associationId, sopInstance);
            return (DicomStatus.OutOfResources, "storage failed: " + ex.GetType().Name);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogError(ex, "{AssociationId} storage of {SopInstanceUid} failed", associationId, sopInstance);
            return (DicomStatus.ProcessingFailure, "storage failed: " + ex.GetType().Name);
        }
    }
}
