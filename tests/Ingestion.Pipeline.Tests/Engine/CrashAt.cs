namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>Simulates the process dying at a named fault point: cancels the host and unwinds, checkpointing nothing more.</summary>
internal sealed class CrashAt(string point, CancellationTokenSource host) : IPipelineFaults
{
    public int Hits;

    public ValueTask AtAsync(string name, string instanceId, CancellationToken cancellationToken)
    {
        if (name == point && Interlocked.Increment(ref Hits) == 1)
        {
            host.Cancel();
            throw new OperationCanceledException(host.Token);
        }
        return ValueTask.CompletedTask;
    }
}
