using System.Text;
using Ingestion.Azure.Queues;
using Ingestion.Azure.Tests.Fixtures;

namespace Ingestion.Azure.Tests.Queues;

[Collection(AzuriteCollection.Name)]
public sealed class StorageQueueWorkQueueTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Messages_travel_base64_encoded_as_the_functions_queue_trigger_expects()
    {
        var name = AzuriteFixture.UniqueName("enc");
        var queue = new StorageQueueWorkQueue(azurite.CreateQueueClient(), name);
        await queue.EnsureCreatedAsync();
        var raw = azurite.CreateQueueClient(new QueueStorageClientOptions { MessageEncoding = QueueMessageEncoding.None });
        const string body = """{"file":"Patient.ndjson","note":"<&>ü"}""";

        await queue.EnqueueAsync(body);
        var onTheWire = Assert.Single(await raw.ReceiveMessagesAsync(name, 1, TimeSpan.FromSeconds(30)));

        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(body)), onTheWire.MessageText);
    }

    [Fact]
    public async Task Plain_text_encoding_escapes_xml_and_round_trips()
    {
        var name = AzuriteFixture.UniqueName("plain");
        var client = azurite.CreateQueueClient(new QueueStorageClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await client.CreateIfNotExistsAsync(name);

        await client.SendMessageAsync(name, "a <b> & c");

        Assert.Equal("a <b> & c", Assert.Single(await client.ReceiveMessagesAsync(name, 1, TimeSpan.FromSeconds(30))).MessageText);
    }

    [Fact]
    public async Task A_message_dequeued_more_than_the_limit_moves_to_the_poison_queue_unchanged()
    {
        var name = AzuriteFixture.UniqueName("poison");
        var client = azurite.CreateQueueClient();
        var queue = new StorageQueueWorkQueue(client, name, new StorageQueueWorkQueueOptions { MaxDequeueCount = 2 });
        await queue.EnsureCreatedAsync();
        await queue.EnqueueAsync("crashes the worker");

        // Two deliveries whose worker never completes (visibility timeout 1 s each).
        Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(2, Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1))).DequeueCount);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var third = await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1));

        Assert.Empty(third);
        Assert.Equal(1, queue.PoisonedCount);
        Assert.Equal(0, await queue.CountAsync());
        var poisoned = Assert.Single(await client.ReceiveMessagesAsync(queue.PoisonQueueName, 32, TimeSpan.FromSeconds(30)));
        Assert.Equal("crashes the worker", poisoned.MessageText);
    }

    [Fact]
    public async Task Receiving_from_a_missing_queue_is_a_typed_QueueNotFound_error()
    {
        var client = azurite.CreateQueueClient();

        var error = await Assert.ThrowsAsync<QueueStorageException>(() => client.ReceiveMessagesAsync("no-such-queue", 1, TimeSpan.FromSeconds(1)));

        Assert.Equal(404, error.Status);
        Assert.Equal(QueueStorageException.QueueNotFound, error.ErrorCode);
    }

    [Fact]
    public async Task A_message_time_to_live_is_applied()
    {
        var name = AzuriteFixture.UniqueName("ttl");
        var client = azurite.CreateQueueClient();
        await client.CreateIfNotExistsAsync(name);

        var receipt = await client.SendMessageAsync(name, "short-lived", timeToLive: TimeSpan.FromSeconds(60));
        var forever = await client.SendMessageAsync(name, "kept", timeToLive: Timeout.InfiniteTimeSpan);

        Assert.InRange((receipt.ExpirationTime - receipt.InsertionTime).TotalSeconds, 59, 61);
        Assert.True(forever.ExpirationTime > DateTimeOffset.UtcNow.AddYears(100));
    }
}
