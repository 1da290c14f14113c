using Ingestion.Storage.Embedded;
using Ingestion.Testing;

namespace Ingestion.Storage.Tests;

public sealed class EmbeddedWorkQueueTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ManualTimeProvider _clock = new();

    public static TheoryData<string> Kinds => new() { "in-process", "sqlite" };

    private IWorkQueue Create(string kind) => kind == "sqlite"
        ? new SqliteWorkQueue(Path.Combine(_folder.Path, "queue.db"), "work", _clock)
        : new InProcessWorkQueue("work", _clock);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_delayed_message_stays_invisible_until_its_delay_passes(string kind)
    {
        var queue = Create(kind);
        await queue.EnqueueAsync("poll run-1", TimeSpan.FromSeconds(30));

        Assert.Empty(await queue.ReceiveAsync(10, TimeSpan.FromMinutes(1)));
        _clock.Advance(TimeSpan.FromSeconds(31));
        var leases = await queue.ReceiveAsync(10, TimeSpan.FromMinutes(1));

        Assert.Equal("poll run-1", Assert.Single(leases).Body);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_uncompleted_message_comes_back_after_its_visibility_timeout_with_a_higher_dequeue_count(string kind)
    {
        var queue = Create(kind);
        await queue.EnqueueAsync("file 1");
        var first = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromMinutes(5)));

        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(await queue.ReceiveAsync(1, TimeSpan.FromMinutes(5)));
        _clock.Advance(TimeSpan.FromMinutes(2));
        var second = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromMinutes(5)));

        Assert.Equal(1, first.DequeueCount);
        Assert.Equal(2, second.DequeueCount);
        // The first worker's lease is stale: it must not delete what the second worker now holds.
        await Assert.ThrowsAsync<QueueLeaseLostException>(() => queue.CompleteAsync(first));
        await queue.CompleteAsync(second);
        Assert.Equal(0, await queue.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Extending_a_lease_keeps_the_message_hidden_and_renews_the_receipt(string kind)
    {
        var queue = Create(kind);
        await queue.EnqueueAsync("long file");
        var lease = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromMinutes(1)));

        _clock.Advance(TimeSpan.FromSeconds(50));
        var extended = await queue.ExtendAsync(lease, TimeSpan.FromMinutes(1));
        _clock.Advance(TimeSpan.FromSeconds(50));

        Assert.Empty(await queue.ReceiveAsync(1, TimeSpan.FromMinutes(1)));
        Assert.NotEqual(lease.PopReceipt, extended.PopReceipt);
        await Assert.ThrowsAsync<QueueLeaseLostException>(() => queue.ExtendAsync(lease, TimeSpan.FromMinutes(1)));
        await queue.CompleteAsync(extended);
    }

    [Fact]
    public async Task Sqlite_queue_messages_survive_a_restart_and_are_never_given_to_two_receivers_at_once()
    {
        var path = Path.Combine(_folder.Path, "queue.db");
        var before = new SqliteWorkQueue(path, "work", _clock);
        for (var i = 0; i < 200; i++) await before.EnqueueAsync($"file {i}");

        var a = new SqliteWorkQueue(path, "work", _clock);
        var b = new SqliteWorkQueue(path, "work", _clock);
        var received = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).ReceiveAsync(5, TimeSpan.FromMinutes(5)))));
        var ids = received.SelectMany(r => r).Select(l => l.MessageId).ToList();

        Assert.Equal(200, ids.Count);
        Assert.Equal(200, ids.Distinct().Count());
        Assert.Equal(200, await new SqliteWorkQueue(path, "work", _clock).CountAsync());
        Assert.Equal(0, await new SqliteWorkQueue(path, "other", _clock).CountAsync());
    }

    public void Dispose() => _folder.Dispose();
}
