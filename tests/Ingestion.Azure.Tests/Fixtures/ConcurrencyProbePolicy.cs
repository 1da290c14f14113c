using Azure.Core;
using Azure.Core.Pipeline;

namespace Ingestion.Azure.Tests.Fixtures;

/// <summary>Measures the highest number of matching requests in flight at once.</summary>
public sealed class ConcurrencyProbePolicy(Func<HttpMessage, bool> matches) : HttpPipelinePolicy
{
    private int _current;
    private int _peak;
    private int _total;

    public int Peak => Volatile.Read(ref _peak);
    public int Total => Volatile.Read(ref _total);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!matches(message))
        {
            await ProcessNextAsync(message, pipeline);
            return;
        }
        Interlocked.Increment(ref _total);
        var now = Interlocked.Increment(ref _current);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak) { }
        try
        {
            // Hold each request a little so overlap is observable on a fast local server.
            await Task.Delay(20);
            await ProcessNextAsync(message, pipeline);
        }
        finally
        {
            Interlocked.Decrement(ref _current);
        }
    }
}
