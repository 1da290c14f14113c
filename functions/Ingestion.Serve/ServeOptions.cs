namespace Ingestion.Serve;

/// <summary>
/// Settings of the standalone <c>serve</c> (section <c>Serve</c>, e.g. <c>Serve__ApiKey</c>); each has a command-line
/// option of the same meaning.
/// </summary>
public sealed class ServeOptions
{
    public const string SectionName = "Serve";

    /// <summary>
    /// The credential every run API call except health carries in the <c>X-Api-Key</c> header (never a cookie, so a
    /// cross-site page cannot make the browser send it). At least 32 characters. Without it or <see cref="Entra"/>
    /// serve refuses to start, unless <see cref="InsecureLocal"/>. A key holder may call every route.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Entra ID bearer tokens instead of (or besides) the API key; state-changing calls need the operator role.</summary>
    public ServeEntraOptions Entra { get; set; } = new();

    /// <summary>Addresses to listen on, ';'-separated (e.g. <c>http://0.0.0.0:8080</c> in a container).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:7071";

    /// <summary>
    /// Host header values accepted (DNS rebinding defence); '*' is refused. Default: the loopback names.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Browser origins allowed to call the API (e.g. an operator console); empty = none but same-origin.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>No credential (neither key nor issuer), for a developer on this machine only: refused unless every URL is a loopback address.</summary>
    public bool InsecureLocal { get; set; }
}
