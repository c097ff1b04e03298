using MassTransit;
using Zsad.Contracts;
using Zsad.Host.Observability;
using Zsad.Host.Pipeline;

namespace Zsad.Host.Consumers;

/// <summary>Inference role: runs the detector on a VolumeReady and publishes the AnomalyMapReady under a message id
/// derived from (volume, detector), so a redelivered volume yields the same message again, never a different one.</summary>
/// <param name="worker">Completes once the detector is loaded; a message that arrives earlier waits for it.</param>
public sealed class VolumeReadyConsumer(Task<InferenceWorker> worker, PipelineMetrics metrics) : IConsumer<VolumeReady>
{
    public async Task Consume(ConsumeContext<VolumeReady> context)
    {
        using var working = metrics.Working();
        var inference = await worker.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        var ready = await inference.ProcessAsync(context.Message, context.CancellationToken).ConfigureAwait(false);
        var messageId = AnomalyMapReady.MessageIdFor(ready.VolumeId, ready.Detector);
        await context.Publish(ready, publish =>
        {
            publish.MessageId = messageId;
            publish.CorrelationId = ready.CorrelationId;
            publish.Durable = true;
        }).ConfigureAwait(false);
        if (inference.Hold is not null)
            await inference.Hold.ReachAsync(HoldPoint.MapPublished, context.CancellationToken).ConfigureAwait(false);
        metrics.Increment("zsad_series_processed_total", "stage=\"inference\"");
    }
}
