using Microsoft.Extensions.Logging;
using Zsad.Contracts;
using Zsad.Dicom;
using Zsad.Imaging.Series;
using Zsad.Listener.Filtering;
using Zsad.Listener.Volumes;

namespace Zsad.Listener.Intake;

/// <summary>Turns one closed series (a folder of the intake store) into a volume and its VolumeReady, or into an
/// outcome saying why not. Knows nothing about timing or the network.</summary>
public sealed class SeriesProcessor(IntakeStore store, SeriesFilter filter, VolumePublisher publisher, ILogger<SeriesProcessor> logger)
{
    public async Task<SeriesOutcome> ProcessAsync(SeriesKey key, string directory, int generation, CancellationToken cancellationToken)
    {
        var paths = store.InstancePaths(directory);
        var inputs = new List<SeriesInput>(paths.Count);
        foreach (var path in paths)
        {
            var file = DicomFile.Open(path);
            inputs.Add(new SeriesInput(file.Dataset, file.TransferSyntax, Path.GetFileName(path)));
        }
        var decision = filter.Evaluate(inputs.Select(i => i.Dataset).ToList());
        if (!decision.Accepted)
        {
            logger.LogInformation("series {SeriesInstanceUid} ({InstanceCount} instances) is kept in the intake store but not processed: {Reason}",
                key.SeriesInstanceUid, paths.Count, decision.Reason);
            return new SeriesOutcome(generation, SeriesOutcomeStatus.Filtered, decision.Reason, paths.Count, null, DateTimeOffset.UtcNow);
        }

        SeriesVolume series;
        try
        {
            series = DicomSeriesReader.Read(inputs);
        }
        catch (DicomSeriesException ex)
        {
            logger.LogError("series {SeriesInstanceUid} ({InstanceCount} instances) cannot become a volume ({Problem}): {Error}",
                key.SeriesInstanceUid, paths.Count, ex.Problem, ex.Message);
            return new SeriesOutcome(generation, SeriesOutcomeStatus.Failed, ex.Message, paths.Count, null, DateTimeOffset.UtcNow);
        }

        var first = inputs[0].Dataset;
        var volumeId = VolumeIds.ForSeries(key.CalledAETitle, key.StudyInstanceUid, key.SeriesInstanceUid, generation);
        var sources = new SourceInstanceList(key.StudyInstanceUid, key.SeriesInstanceUid, series.FrameOfReferenceUid,
            series.Slices.Select(s => new SourceInstance(s.SopClassUid, s.SopInstanceUid, s.FrameNumber)).ToList());
        var description = new VolumeDescription(volumeId, generation, VolumeOrigin.DicomNetwork, null, key.CalledAETitle,
            key.StudyInstanceUid, key.SeriesInstanceUid, series.FrameOfReferenceUid,
            first.GetString(DicomTags.Modality), first.GetString(DicomTags.SeriesDescription));
        await publisher.PublishAsync(description, series.Volume, sources, null, cancellationToken).ConfigureAwait(false);
        return new SeriesOutcome(generation, SeriesOutcomeStatus.Published, null, paths.Count, volumeId, DateTimeOffset.UtcNow);
    }
}
