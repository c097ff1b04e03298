using MassTransit;
using Zsad.Contracts;
using Zsad.Host.Observability;
using Zsad.Host.Pipeline;

namespace Zsad.Host.Consumers;

/// <summary>Reporter role: hands the map to the <see cref="ReportWorker"/>, which makes the SEG, sends it and writes
/// the report; redeliveries find its result and send nothing twice.</summary>
public sealed class AnomalyMapReadyConsumer(ReportWorker worker, PipelineMetrics metrics, Action<ReportOutcome>? reported = null) : IConsumer<AnomalyMapReady>
{
    public async Task Consume(ConsumeContext<AnomalyMapReady> context)
    {
        using var working = metrics.Working();
        var outcome = await worker.ProcessAsync(context.Message, context.CancellationToken).ConfigureAwait(false);
        metrics.Increment("zsad_series_processed_total", "stage=\"report\"");
        reported?.Invoke(outcome);
    }
}
