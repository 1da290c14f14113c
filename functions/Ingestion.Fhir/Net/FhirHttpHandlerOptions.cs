using System.Net;

namespace Ingestion.Fhir.Net;

/// <summary>What a source may change about the HTTP stack <see cref="FhirHttpHandlerFactory"/> builds. Nothing here turns a safety check off except <see cref="AllowPrivateNetwork"/>, which says so.</summary>
public sealed class FhirHttpHandlerOptions
{
    /// <summary>
    /// Allow connections to loopback and private (RFC 1918, unique-local, CGNAT) addresses: an on-premises EHR, the
    /// demo server and tests. Link-local and cloud metadata addresses stay refused.
    /// </summary>
    public bool AllowPrivateNetwork { get; init; }

    /// <summary>Time to establish a TCP + TLS connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Resolves a host name to addresses (default: the system DNS). The addresses are checked after resolution, so a
    /// replacement cannot widen what is reachable; tests use it to make a name resolve where they want.
    /// </summary>
    public Func<string, CancellationToken, Task<IPAddress[]>>? ResolveHost { get; init; }
}
