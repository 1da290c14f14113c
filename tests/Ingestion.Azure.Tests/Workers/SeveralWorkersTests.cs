using System.Collections.Concurrent;
using System.Text;
using Ingestion.Azure.Blobs;
using Ingestion.Azure.Queues;
using Ingestion.Azure.Tests.Fixtures;
using Ingestion.Storage;

namespace Ingestion.Azure.Tests.Workers;

[Collection(AzuriteCollection.Name)]
public sealed class SeveralWorkersTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Two_hosts_share_one_run_and_the_survivor_finishes_the_file_of_the_one_that_died()
    {
        var container = AzuriteFixture.UniqueName("workers");
        var queueName = AzuriteFixture.UniqueName("work");
        var files = Enumerable.Range(0, 10).Select(i => $"Observation-{i:D3}.ndjson").ToList();

        // Each host has its own clients (own connections), as two Function instances would.
        (StorageQueueWorkQueue Queue, BlobLake Lake) Host()
        {
            var lake = new BlobLake(azurite.CreateBlobClient(new BlobStorageClientOptions { BlockSize = 16 * 1024, MaxConcurrency = 2 }), container);
            return (new StorageQueueWorkQueue(azurite.CreateQueueClient(), queueName), lake);
        }
        var (queueA, lakeA) = Host();
        var (queueB, lakeB) = Host();
        await lakeA.EnsureContainerAsync();
        await queueA.EnsureCreatedAsync();
        foreach (var file in files)
        {
            var lines = string.Join('\n', Enumerable.Range(0, 200).Select(i => $"{{\"resourceType\":\"Observation\",\"id\":\"{file}-{i}\"}}"));
            await lakeA.WriteAsync($"landing/run=r1/{file}", Encoding.UTF8.GetBytes(lines));
            await queueA.EnqueueAsync($$"""{"runId":"r1","file":"{{file}}"}""");
        }

        var published = new ConcurrentBag<(string Worker, string File, int DequeueCount)>();
        var hostA = new SyntheticFileWorker("A", queueA, lakeA, published) { CrashOnFileNumber = 2 };
        var hostB = new SyntheticFileWorker("B", queueB, lakeB, published);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        bool Finished() => published.Count >= files.Count;

        var runA = hostA.RunAsync(Finished, timeout.Token);
        var runB = hostB.RunAsync(Finished, timeout.Token);
        await Task.WhenAll(runA, runB);

        Assert.True(hostA.Crashed);
        var doomed = hostA.CrashedFile!;
        Assert.Equal(files.Order(), published.Select(p => p.File).Order());
        var recovered = Assert.Single(published, p => p.File == doomed);
        Assert.Equal("B", recovered.Worker);
        Assert.True(recovered.DequeueCount >= 2);
        foreach (var file in files)
        {
            await using var part = await lakeB.OpenReadAsync($"out/run=r1/{file}.part");
            var text = await new StreamReader(part).ReadToEndAsync();
            Assert.Equal(200, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Contains($"\"ID\":\"{file.ToUpperInvariant()}-199\"", text);
        }
        var outputs = new List<LakeItem>();
        await foreach (var item in lakeB.ListAsync("out/")) outputs.Add(item);
        Assert.Equal(files.Count, outputs.Count);
        Assert.Equal(0, await queueB.CountAsync());
    }
}
