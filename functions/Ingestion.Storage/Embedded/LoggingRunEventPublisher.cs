using Microsoft.Extensions.Logging;

namespace Ingestion.Storage.Embedded;

/// <summary>The embedded announcement: a structured log line per run event (Service Bus in Azure).</summary>
public sealed class LoggingRunEventPublisher(ILogger<LoggingRunEventPublisher> logger) : IRunEventPublisher
{
    public Task<RunEventDelivery> PublishAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        logger.LogInformation(
            "Run event {EventType} for run {RunId} from source {Source}: manifest {ManifestLocation}, reason {Reason}, counts {Counts}",
            runEvent.Type, runEvent.RunId, runEvent.Source, runEvent.ManifestLocation, runEvent.Reason,
            string.Join(", ", runEvent.Counts.Select(kv => $"{kv.Key}={kv.Value}")));
        return Task.FromResult(RunEventDelivery.Sent);
    }
}
