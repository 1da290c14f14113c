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

/// <summary>Installs, before the transport, a probe of the Authorization header and a stub 201 answer (no real service is reachable).</summary>
public static class AuthorizationProbe
{
    public static List<string> Install(ClientOptions options)
    {
        var seen = new List<string>();
        options.AddPolicy(new HeaderProbePolicy("Authorization", seen), HttpPipelinePosition.BeforeTransport);
        options.AddPolicy(new FaultInjectionPolicy(failures: 1, status: 201), HttpPipelinePosition.BeforeTransport);
        return seen;
    }
}

/// <summary>Records one header's value on each request that passes.</summary>
public sealed class HeaderProbePolicy(string name, List<string> seen) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        if (message.Request.Headers.TryGetValue(name, out var value)) lock (seen) seen.Add(value);
    }
}
