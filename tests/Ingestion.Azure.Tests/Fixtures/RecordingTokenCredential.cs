using Azure.Core;
using Azure.Core.Pipeline;

namespace Ingestion.Azure.Tests.Fixtures;

/// <summary>A TokenCredential that hands out a fixed token and records the scopes it was asked for.</summary>
public sealed class RecordingTokenCredential : TokenCredential
{
    public const string Token = "test-access-token";

    public List<string> Scopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (Scopes) Scopes.AddRange(requestContext.Scopes);
        return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>Records one header's value on each request that passes.</summary>
public sealed class HeaderProbePolicy(string name, List<string> seen) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        if (message.Request.Headers.TryGetValue(name, out var value)) lock (seen) seen.Add(value);
    }
}
