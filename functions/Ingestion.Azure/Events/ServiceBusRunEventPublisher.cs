using Azure.Messaging.ServiceBus;
using Ingestion.Storage;
using Microsoft.Extensions.Logging;

namespace Ingestion.Azure.Events;

/// <summary>
/// Announces run events on a Service Bus topic through the SDK's <see cref="ServiceBusSender"/> (AMQP; its retry
/// policy retries transient failures). A failure to announce never fails the run: it is logged and returned as an
/// undelivered <see cref="RunEventDelivery"/> for the orchestration to record on the run.
/// </summary>
public sealed class ServiceBusRunEventPublisher(ServiceBusSender sender, ILogger<ServiceBusRunEventPublisher> logger) : IRunEventPublisher
{
    public async Task<RunEventDelivery> PublishAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
    {
        var message = RunEventMessage.Create(runEvent);
        try
        {
            await sender.SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
            return RunEventDelivery.Sent;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // Whatever the cause (broker, network, identity), the published run stands; the retries are the SDK's.
            var code = ex is ServiceBusException bus ? $"ServiceBus.{bus.Reason}" : ex.GetType().Name;
            logger.LogWarning(ex, "Run event {EventType} for run {RunId} was not announced on {Entity}: {ErrorCode}",
                runEvent.Type, runEvent.RunId, sender.EntityPath, code);
            return RunEventDelivery.NotSent(code, $"{runEvent.Type} was not announced on Service Bus entity '{sender.EntityPath}' ({code}).");
        }
    }
}
