using Azure.Core;
using Azure.Core.Pipeline;

namespace Ingestion.Azure.Tests.Fixtures;

/// <summary>
/// Added per retry: answers the first <paramref name="failures"/> matching requests itself with <paramref name="status"/>
/// (never reaching the server), then lets requests through. Counts every attempt it saw.
/// </summary>
public sealed class FaultInjectionPolicy(int failures, int status, Func<HttpMessage, bool>? matches = null) : HttpPipelinePolicy
{
    private int _remaining = failures;
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (matches is null || matches(message))
        {
            Interlocked.Increment(ref _attempts);
            if (Interlocked.Decrement(ref _remaining) >= 0)
            {
                message.Response = new StubResponse(status, new Dictionary<string, string> { ["x-ms-error-code"] = "ServerBusy" });
                return;
            }
        }
        await ProcessNextAsync(message, pipeline);
    }
}
