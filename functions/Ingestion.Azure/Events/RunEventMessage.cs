using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Ingestion.Storage;

namespace Ingestion.Azure.Events;

/// <summary>
/// The Service Bus message of a run event. MessageId = the event's deterministic EventId (its SHA-256 when longer than
/// Service Bus's 128 characters) so a re-sent event is dropped by duplicate detection; Subject = the event type;
/// CorrelationId = the run id; application properties source, status, runId and count.* let subscriptions filter
/// without reading bodies. Only these fields are written: codes, ids and counts, never patient data.
/// </summary>
public static class RunEventMessage
{
    public const string ContentType = "application/json";
    public const int MaxMessageIdLength = 128;
    public const string CountPropertyPrefix = "count.";

    public static ServiceBusMessage Create(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        var message = new ServiceBusMessage(Body(runEvent))
        {
            MessageId = MessageIdOf(runEvent.EventId),
            ContentType = ContentType,
            Subject = runEvent.Type.ToString(),
            CorrelationId = runEvent.RunId,
        };
        message.ApplicationProperties["runId"] = runEvent.RunId;
        message.ApplicationProperties["source"] = runEvent.Source;
        message.ApplicationProperties["status"] = runEvent.Type.ToString();
        foreach (var (name, count) in runEvent.Counts) message.ApplicationProperties[CountPropertyPrefix + name] = count;
        return message;
    }

    /// <summary>The EventId itself when it fits, else its SHA-256 in hex (still deterministic).</summary>
    public static string MessageIdOf(string eventId) =>
        eventId.Length <= MaxMessageIdLength ? eventId : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eventId)));

    private static BinaryData Body(RunEvent runEvent)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
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
        return new BinaryData(buffer.WrittenMemory);
    }
}
