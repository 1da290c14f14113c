using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Ingestion.Azure.Events;
using Ingestion.Storage;
using Microsoft.Extensions.Logging;

namespace Ingestion.Azure.Tests.Events;

public sealed class ServiceBusRunEventPublisherTests
{
    private static RunEvent Completed() => new("run-42:RunCompleted", RunEventType.RunCompleted, "run-42", "hospital-a", new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero))
    {
        ManifestLocation = "https://lake.blob.core.windows.net/lake/manifests/run=run-42/manifest.json",
        Counts = new Dictionary<string, long> { ["resourcesRead"] = 1200, ["quarantined"] = 3 },
    };

    [Fact]
    public async Task A_published_event_carries_a_deterministic_message_id_subject_correlation_and_filterable_properties()
    {
        var sender = new RecordingServiceBusSender();
        var publisher = new ServiceBusRunEventPublisher(sender, new RecordingLogger<ServiceBusRunEventPublisher>());

        var delivery = await publisher.PublishAsync(Completed());
        await publisher.PublishAsync(Completed());

        Assert.True(delivery.Delivered);
        Assert.Equal(2, sender.Sent.Count);
        Assert.All(sender.Sent, m => Assert.Equal("run-42:RunCompleted", m.MessageId)); // re-sent = same id: duplicate detection drops it
        var message = sender.Sent[0];
        Assert.Equal("RunCompleted", message.Subject);
        Assert.Equal("run-42", message.CorrelationId);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal("hospital-a", message.ApplicationProperties["source"]);
        Assert.Equal("RunCompleted", message.ApplicationProperties["status"]);
        Assert.Equal(1200L, message.ApplicationProperties["count.resourcesRead"]);
        Assert.Equal(3L, message.ApplicationProperties["count.quarantined"]);
    }

    [Fact]
    public async Task A_subscriber_reads_the_event_back_from_the_received_message()
    {
        var sender = new RecordingServiceBusSender();
        await new ServiceBusRunEventPublisher(sender, new RecordingLogger<ServiceBusRunEventPublisher>()).PublishAsync(Completed());
        var sent = Assert.Single(sender.Sent);

        // What a topic subscription delivers, built by the SDK's model factory from what was sent.
        var received = ServiceBusModelFactory.ServiceBusReceivedMessage(body: sent.Body, messageId: sent.MessageId, correlationId: sent.CorrelationId,
            subject: sent.Subject, contentType: sent.ContentType, properties: sent.ApplicationProperties);
        using var body = JsonDocument.Parse(received.Body.ToString());

        Assert.Equal("run-42", received.CorrelationId);
        Assert.Equal("RunCompleted", body.RootElement.GetProperty("type").GetString());
        Assert.Equal(Completed().ManifestLocation, body.RootElement.GetProperty("manifestLocation").GetString());
        Assert.Equal(1200, body.RootElement.GetProperty("counts").GetProperty("resourcesRead").GetInt64());
        Assert.Equal("hospital-a", received.ApplicationProperties["source"]);
    }

    [Fact]
    public void An_event_id_too_long_for_service_bus_becomes_a_stable_hash()
    {
        var longId = new string('r', 120) + ":RunCompleted";

        var first = RunEventMessage.MessageIdOf(longId);

        Assert.Equal(64, first.Length);
        Assert.Equal(first, RunEventMessage.MessageIdOf(longId));
        Assert.NotEqual(first, RunEventMessage.MessageIdOf(longId + "x"));
    }

    [Fact]
    public async Task The_message_holds_only_ids_codes_and_counts_no_patient_data()
    {
        var sender = new RecordingServiceBusSender();
        var failed = new RunEvent("run-7:RunFailed", RunEventType.RunFailed, "run-7", "hospital-a", DateTimeOffset.UnixEpoch)
        {
            Reason = "2 of 40 files failed; the run is not published (resume retries them).",
            Counts = new Dictionary<string, long> { ["filesFailed"] = 2 },
        };
        await new ServiceBusRunEventPublisher(sender, new RecordingLogger<ServiceBusRunEventPublisher>()).PublishAsync(failed);
        var message = Assert.Single(sender.Sent);

        // Every value that leaves is one of the event's own fields: nothing else (no resource, no patient) can ride along.
        string[] allowed = [failed.EventId, failed.RunId, failed.Source, failed.Type.ToString(), failed.Reason!, "1970-01-01T00:00:00+00:00"];
        Assert.Equal(["count.filesFailed", "runId", "source", "status"], message.ApplicationProperties.Keys.Order(StringComparer.Ordinal));
        Assert.All(message.ApplicationProperties.Values, v => Assert.True(v is long || allowed.Contains((string)v), $"unexpected property value {v}"));
        using var body = JsonDocument.Parse(message.Body.ToString());
        Assert.Equal(["counts", "eventId", "occurredAt", "reason", "runId", "source", "type"], body.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(body.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String), p => Assert.Contains(p.Value.GetString(), allowed));
        Assert.Equal(["filesFailed"], body.RootElement.GetProperty("counts").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_broker_failure_is_logged_and_reported_not_thrown()
    {
        var sender = new RecordingServiceBusSender(new ServiceBusException("The entity was not found.", ServiceBusFailureReason.MessagingEntityNotFound));
        var logger = new RecordingLogger<ServiceBusRunEventPublisher>();

        var delivery = await new ServiceBusRunEventPublisher(sender, logger).PublishAsync(Completed());

        Assert.False(delivery.Delivered);
        Assert.Equal("ServiceBus.MessagingEntityNotFound", delivery.ErrorCode);
        Assert.Contains("RunCompleted", delivery.Reason);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("run-42", entry.Message);
        Assert.Contains("ServiceBus.MessagingEntityNotFound", entry.Message);
    }

    [Fact]
    public async Task An_identity_failure_is_reported_too()
    {
        var sender = new RecordingServiceBusSender(new UnauthorizedAccessException("Unauthorized access. 'Send' claim(s) are required."));

        var delivery = await new ServiceBusRunEventPublisher(sender, new RecordingLogger<ServiceBusRunEventPublisher>()).PublishAsync(Completed());

        Assert.False(delivery.Delivered);
        Assert.Equal(nameof(UnauthorizedAccessException), delivery.ErrorCode);
    }

    [Fact]
    public async Task Cancellation_is_not_swallowed()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new ServiceBusRunEventPublisher(new RecordingServiceBusSender(), new RecordingLogger<ServiceBusRunEventPublisher>()).PublishAsync(Completed(), cancelled.Token));
    }
}
