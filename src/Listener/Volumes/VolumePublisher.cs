using System.Text.Json;
using Microsoft.Extensions.Logging;
using Zsad.Contracts;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Listener.Outbox;
using Zsad.Listener.Storage;

namespace Zsad.Listener.Volumes;

/// <summary>The one way out for every volume, network or import: blobs first (keys derived from the volume id, so a
/// retry rewrites the same keys), then the VolumeReady into the outbox under a message id derived from the same id.</summary>
public sealed class VolumePublisher(IBlobStore blobs, FileOutbox outbox, ILogger<VolumePublisher> logger)
{
    public const string NiftiGzip = "application/x-nifti+gzip";

    /// <returns>The message, and whether it was enqueued now (false: this volume id was published before).</returns>
    public async Task<(VolumeReady Message, bool Enqueued)> PublishAsync(VolumeDescription description, Volume volume,
        SourceInstanceList? sources = null, Volume? groundTruth = null, CancellationToken cancellationToken = default)
    {
        var prefix = $"volumes/{description.VolumeId}";
        var image = await blobs.PutAsync($"{prefix}/image.nii.gz", NiftiWriter.ToBytes(volume, new NiftiWriteOptions { Gzip = true }),
            NiftiGzip, cancellationToken).ConfigureAwait(false);
        BlobReference? sourceBlob = null;
        if (sources is not null)
            sourceBlob = await blobs.PutAsync($"{prefix}/instances.json", JsonSerializer.SerializeToUtf8Bytes(sources, ListenerJsonContext.Default.SourceInstanceList),
                "application/json", cancellationToken).ConfigureAwait(false);
        BlobReference? truth = null;
        if (groundTruth is not null)
            truth = await blobs.PutAsync($"{prefix}/ground-truth.nii.gz", NiftiWriter.ToBytes(groundTruth, new NiftiWriteOptions { Gzip = true }),
                NiftiGzip, cancellationToken).ConfigureAwait(false);

        var messageId = VolumeIds.MessageIdFor(description.VolumeId);
        var message = new VolumeReady(messageId, description.VolumeId, description.Generation, description.Origin, description.CaseId,
            description.CalledAETitle, description.StudyInstanceUid, description.SeriesInstanceUid, description.FrameOfReferenceUid,
            description.Modality, description.SeriesDescription, image, sourceBlob, truth, [volume.SizeX, volume.SizeY, volume.SizeZ],
            DateTimeOffset.UtcNow);
        var enqueued = outbox.Enqueue(messageId, message);
        if (enqueued)
            logger.LogInformation("VolumeReady {VolumeId} for series {SeriesInstanceUid} (generation {Generation}, {SizeX}x{SizeY}x{SizeZ}) is in the outbox",
                description.VolumeId, description.SeriesInstanceUid, description.Generation, volume.SizeX, volume.SizeY, volume.SizeZ);
        else
            logger.LogInformation("VolumeReady {VolumeId} for series {SeriesInstanceUid} was published before; not sent again",
                description.VolumeId, description.SeriesInstanceUid);
        return (message, enqueued);
    }
}
