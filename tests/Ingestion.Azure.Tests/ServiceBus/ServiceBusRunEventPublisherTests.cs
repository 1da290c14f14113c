using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Ingestion.Azure.ServiceBus;
using Ingestion.Azure.Tests.Fixtures;
using Ingestion.Storage;

namespace Ingestion.Azure.Tests.ServiceBus;

public sealed class ServiceBusRunEventPublisherTests
{
    private const string KeyName = "RootManageSharedAccessKey";
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static ServiceBusSenderClient Sender(Uri endpoint, ServiceBusSenderClientOptions? options = null) =>
        new(endpoint, "ingestion-runs", ServiceBusCredential.SharedAccessKey(KeyName, Key), options ?? FastRetries());

    private static ServiceBusSenderClientOptions FastRetries()
    {
        var options = new ServiceBusSenderClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        return options;
    }

    private static RunEvent Completed() => new("run-42:RunCompleted", RunEventType.RunCompleted, "run-42", "hospital-a", new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero))
    {
        ManifestLocation = "https://lake.blob.core.windows.net/lake/manifests/run=run-42/manifest.json",
        Counts = new Dictionary<string, long> { ["resourcesRead"] = 1200, ["quarantined"] = 3 },
    };

    private static Dictionary<string, string> ParseToken(string authorization)
    {
        Assert.StartsWith("SharedAccessSignature ", authorization);
        return authorization["SharedAccessSignature ".Length..].Split('&')
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    [Fact]
    public async Task A_published_event_is_posted_to_the_entity_with_a_valid_sas_token_and_broker_properties()
    {
        await using var listener = new RecordingHttpListener();
        var publisher = new ServiceBusRunEventPublisher(Sender(listener.Endpoint));

        await publisher.PublishAsync(Completed());

        var request = Assert.Single(listener.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/ingestion-runs/messages", request.Path);

        var token = ParseToken(request.Headers["Authorization"]!);
        Assert.Equal(Uri.EscapeDataString(listener.Endpoint.AbsoluteUri + "ingestion-runs"), token["sr"]);
        Assert.Equal(KeyName, token["skn"]);
        var expiry = long.Parse(token["se"]);
        Assert.InRange(expiry - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3000, 3700);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.UTF8.GetBytes(token["sr"] + "\n" + token["se"])));
        Assert.Equal(expected, Uri.UnescapeDataString(token["sig"]));

        using var broker = JsonDocument.Parse(request.Headers["BrokerProperties"]!);
        Assert.Equal("run-42:RunCompleted", broker.RootElement.GetProperty("MessageId").GetString());
        Assert.Equal("RunCompleted", broker.RootElement.GetProperty("Label").GetString());
        Assert.Equal("run-42", broker.RootElement.GetProperty("CorrelationId").GetString());
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal("\"run-42\"", request.Headers["runId"]);
        Assert.Equal("\"RunCompleted\"", request.Headers["eventType"]);

        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("https://lake.blob.core.windows.net/lake/manifests/run=run-42/manifest.json", body.RootElement.GetProperty("manifestLocation").GetString());
        Assert.Equal(1200, body.RootElement.GetProperty("counts").GetProperty("resourcesRead").GetInt64());
        Assert.Equal(3, body.RootElement.GetProperty("counts").GetProperty("quarantined").GetInt64());
    }

    [Fact]
    public async Task Re_publishing_an_event_reuses_its_message_id_for_duplicate_detection()
    {
        await using var listener = new RecordingHttpListener();
        var publisher = new ServiceBusRunEventPublisher(Sender(listener.Endpoint));
        var failed = new RunEvent("run-7:RunFailed", RunEventType.RunFailed, "run-7", "hospital-a", DateTimeOffset.UtcNow) { Reason = "ExportExpired" };

        await publisher.PublishAsync(failed);
        await publisher.PublishAsync(failed with { OccurredAt = DateTimeOffset.UtcNow.AddMinutes(1) });

        var ids = listener.Requests.Select(r => JsonDocument.Parse(r.Headers["BrokerProperties"]!).RootElement.GetProperty("MessageId").GetString()).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal("ExportExpired", JsonDocument.Parse(listener.Requests.First().Body).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void An_event_id_longer_than_128_characters_maps_to_a_stable_hash()
    {
        var longId = new string('r', 140) + ":RunStarted";

        var first = ServiceBusRunEventPublisher.MessageIdOf(longId);

        Assert.Equal(64, first.Length);
        Assert.Equal(first, ServiceBusRunEventPublisher.MessageIdOf(longId));
        Assert.NotEqual(first, ServiceBusRunEventPublisher.MessageIdOf(longId + "x"));
    }

    [Fact]
    public async Task A_batch_is_one_request_in_the_service_bus_json_format()
    {
        await using var listener = new RecordingHttpListener();
        var publisher = new ServiceBusRunEventPublisher(Sender(listener.Endpoint));
        var started = new RunEvent("run-1:RunStarted", RunEventType.RunStarted, "run-1", "hospital-a", DateTimeOffset.UtcNow);

        await publisher.PublishBatchAsync([started, Completed()]);

        var request = Assert.Single(listener.Requests);
        Assert.Equal(ServiceBusSenderClient.BatchContentType, request.Headers["Content-Type"]);
        using var batch = JsonDocument.Parse(request.Body);
        var entries = batch.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("run-1:RunStarted", entries[0].GetProperty("BrokerProperties").GetProperty("MessageId").GetString());
        Assert.Equal("RunStarted", entries[0].GetProperty("BrokerProperties").GetProperty("Label").GetString());
        Assert.Equal("application/json", entries[1].GetProperty("BrokerProperties").GetProperty("ContentType").GetString());
        Assert.Equal("run-42", entries[1].GetProperty("UserProperties").GetProperty("runId").GetString());
        using var body = JsonDocument.Parse(entries[1].GetProperty("Body").GetString()!);
        Assert.Equal("RunCompleted", body.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_busy_namespace_is_retried_and_a_rejected_token_is_a_typed_error()
    {
        await using var busy = new RecordingHttpListener(503, 503);
        await new ServiceBusRunEventPublisher(Sender(busy.Endpoint)).PublishAsync(Completed());
        Assert.Equal(3, busy.Requests.Count);

        await using var denied = new RecordingHttpListener(401);
        var error = await Assert.ThrowsAsync<ServiceBusException>(() => new ServiceBusRunEventPublisher(Sender(denied.Endpoint)).PublishAsync(Completed()));
        Assert.Equal(401, error.Status);
        Assert.DoesNotContain(Key, error.Message);
    }

    [Fact]
    public async Task Entra_id_sends_a_bearer_token_for_the_service_bus_scope()
    {
        var credential = new RecordingTokenCredential();
        var options = new ServiceBusSenderClientOptions();
        var seen = AuthorizationProbe.Install(options);
        var sender = new ServiceBusSenderClient(new Uri("https://ns.servicebus.windows.net/"), "runs", ServiceBusCredential.EntraId(credential), options);

        await sender.SendAsync(ServiceBusRunEventPublisher.ToMessage(Completed()));

        Assert.Equal([ServiceBusCredential.ServiceBusScope], credential.Scopes);
        Assert.Equal(["Bearer " + RecordingTokenCredential.Token], seen);
    }
}
