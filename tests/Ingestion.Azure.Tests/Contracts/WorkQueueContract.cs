using Ingestion.Storage;

namespace Ingestion.Azure.Tests.Contracts;

/// <summary>
/// The Azure Storage queue semantics every <see cref="IWorkQueue"/> owes the orchestration. Timeouts are whole
/// seconds (the Azure service's resolution), so some tests wait a second or two.
/// </summary>
public abstract class WorkQueueContract
{
    protected abstract Task<IWorkQueue> CreateQueueAsync();

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_received_message_carries_its_body_and_is_hidden_from_other_receivers()
    {
        var queue = await CreateQueueAsync();
        var id = await queue.EnqueueAsync("""{"activity":"export","file":3}""");

        var first = await queue.ReceiveAsync(10, Lease);
        var second = await queue.ReceiveAsync(10, Lease);

        var lease = Assert.Single(first);
        Assert.Equal(id, lease.MessageId);
        Assert.Equal("""{"activity":"export","file":3}""", lease.Body);
        Assert.Equal(1, lease.DequeueCount);
        Assert.True(lease.VisibleAgainAt > DateTimeOffset.UtcNow.AddSeconds(20));
        Assert.Empty(second);
    }

    [Fact]
    public async Task Receive_returns_at_most_the_requested_number_and_never_the_same_message_twice()
    {
        var queue = await CreateQueueAsync();
        for (var i = 0; i < 5; i++) await queue.EnqueueAsync($"m{i}");

        var first = await queue.ReceiveAsync(3, Lease);
        var rest = await queue.ReceiveAsync(10, Lease);

        Assert.Equal(3, first.Count);
        Assert.Equal(2, rest.Count);
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], first.Concat(rest).Select(l => l.Body).Order());
    }

    [Fact]
    public async Task A_delayed_message_stays_invisible_until_its_delay_passes()
    {
        var queue = await CreateQueueAsync();
        await queue.EnqueueAsync("timer", TimeSpan.FromSeconds(2));

        Assert.Empty(await queue.ReceiveAsync(1, Lease));
        Assert.Equal(1, await queue.CountAsync());
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.Equal("timer", Assert.Single(await queue.ReceiveAsync(1, Lease)).Body);
    }

    [Fact]
    public async Task A_message_not_completed_in_time_is_delivered_again_with_a_higher_dequeue_count()
    {
        var queue = await CreateQueueAsync();
        await queue.EnqueueAsync("work");
        var first = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));

        await Task.Delay(TimeSpan.FromSeconds(1.6));
        var again = Assert.Single(await queue.ReceiveAsync(1, Lease));

        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal(2, again.DequeueCount);
        Assert.NotEqual(first.PopReceipt, again.PopReceipt);
        await Assert.ThrowsAsync<QueueLeaseLostException>(() => queue.CompleteAsync(first));
        await queue.CompleteAsync(again);
    }

    [Fact]
    public async Task Extending_a_lease_keeps_the_message_hidden_and_renews_the_pop_receipt()
    {
        var queue = await CreateQueueAsync();
        await queue.EnqueueAsync("long activity");
        var lease = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));

        var extended = await queue.ExtendAsync(lease, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1.6));

        Assert.Empty(await queue.ReceiveAsync(1, Lease));
        Assert.NotEqual(lease.PopReceipt, extended.PopReceipt);
        Assert.True(extended.VisibleAgainAt > DateTimeOffset.UtcNow.AddSeconds(20));
        await Assert.ThrowsAsync<QueueLeaseLostException>(() => queue.CompleteAsync(lease));
        await queue.CompleteAsync(extended);
        Assert.Equal(0, await queue.CountAsync());
    }

    [Fact]
    public async Task A_completed_message_is_gone_for_good()
    {
        var queue = await CreateQueueAsync();
        await queue.EnqueueAsync("done");
        var lease = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));

        await queue.CompleteAsync(lease);
        await Task.Delay(TimeSpan.FromSeconds(1.3));

        Assert.Empty(await queue.ReceiveAsync(1, Lease));
        Assert.Equal(0, await queue.CountAsync());
        await Assert.ThrowsAsync<QueueLeaseLostException>(() => queue.ExtendAsync(lease, Lease));
    }

    [Fact]
    public async Task Count_includes_hidden_messages()
    {
        var queue = await CreateQueueAsync();
        await queue.EnqueueAsync("a");
        await queue.EnqueueAsync("b");
        await queue.EnqueueAsync("c", TimeSpan.FromMinutes(5));
        await queue.ReceiveAsync(1, Lease);

        Assert.Equal(3, await queue.CountAsync());
    }
}
