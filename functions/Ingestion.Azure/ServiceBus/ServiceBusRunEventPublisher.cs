using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingestion.Storage;

namespace Ingestion.Azure.ServiceBus;

/// <summary>
/// Publishes run lifecycle events to a Service Bus topic or queue. MessageId = the event's deterministic EventId
/// (hashed when longer than 128 characters) so a re-sent event is dropped by duplicate detection; Subject = the
/// event type; CorrelationId = the run id; custom properties runId, eventType and source let subscriptions filter
/// without reading bodies. Bodies are JSON with codes and counts only.
/// </summary>
public sealed class ServiceBusRunEventPublisher(ServiceBusSenderClient sender) : IRunEventPublisher
{
    public const string ContentType = "application/json";

    public Task PublishAsync(RunEvent runEvent, CancellationToken cancellationToken = default) =>
        sender.SendAsync(ToMessage(runEvent), cancellationToken);

    /// <summary>Publishes several events in one request (e.g. a backlog after an outage).</summary>
    public Task PublishBatchAsync(IReadOnlyList<RunEvent> runEvents, CancellationToken cancellationToken = default) =>
        sender.SendBatchAsync(runEvents.Select(ToMessage).ToList(), cancellationToken);

    public static ServiceBusMessage ToMessage(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        return new ServiceBusMessage(Body(runEvent))
        {
            MessageId = MessageIdOf(runEvent.EventId),
            ContentType = ContentType,
            Subject = runEvent.Type.ToString(),
            CorrelationId = runEvent.RunId,
            ApplicationProperties = new Dictionary<string, object>
            {
                ["runId"] = runEvent.RunId,
                ["eventType"] = runEvent.Type.ToString(),
                ["source"] = runEvent.Source,
            },
        };
    }

    /// <summary>The EventId itself when it fits Service Bus's 128 characters, else its SHA-256 in hex (still deterministic).</summary>
    public static string MessageIdOf(string eventId) =>
        eventId.Length <= ServiceBusSenderClient.MaxMessageIdLength ? eventId : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eventId)));

    private static byte[] Body(RunEvent runEvent)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("eventId", runEvent.EventId);
            writer.WriteString("type", runEvent.Type.ToString());
            writer.WriteString("runId", runEvent.RunId);
            writer.WriteString("source", runEvent.Source);
            writer.WriteString("occurredAt", runEvent.OccurredAt);
            if (runEvent.ManifestLocation is not null) writer.WriteString("manifestLocation", runEvent.ManifestLocation);
            if (runEvent.Reason is not null) writer.WriteString("reason", runEvent.Reason);
            writer.WriteStartObject("counts");
            foreach (var (name, count) in runEvent.Counts.OrderBy(c => c.Key, StringComparer.Ordinal)) writer.WriteNumber(name, count);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
