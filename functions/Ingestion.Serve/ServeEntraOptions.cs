namespace Ingestion.Serve;

/// <summary>
/// serve's Entra ID (or any OpenID Connect issuer's) bearer tokens, section <c>Serve:Entra</c>: callers send
/// <c>Authorization: Bearer &lt;token&gt;</c> for the API's app registration; state-changing calls need the operator
/// app role. Signing keys come from the issuer's OpenID metadata (and rotate with it).
/// </summary>
public sealed class ServeEntraOptions
{
    /// <summary>The authentication scheme name serve registers.</summary>
    public const string Scheme = "Entra";

    /// <summary>
    /// The token issuer, e.g. <c>https://login.microsoftonline.com/&lt;tenant id&gt;/v2.0</c>; tokens must carry exactly
    /// this <c>iss</c>. Its metadata is <c>&lt;issuer&gt;/.well-known/openid-configuration</c> unless <see cref="MetadataAddress"/> is set.
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>The API's audience: its application id URI (<c>api://&lt;client id&gt;</c>) or client id. Required with an issuer.</summary>
    public string? Audience { get; set; }

    /// <summary>The app role (<c>roles</c> claim) a caller needs for state-changing calls (start, cancel, terminate, purge, restart, retry).</summary>
    public string OperatorRole { get; set; } = "Ingestion.Operator";

    /// <summary>Where the OpenID metadata is, when not under the issuer (a private mirror, a test issuer).</summary>
    public Uri? MetadataAddress { get; set; }

    /// <summary>Metadata and keys over https only; may be false only for an issuer on a loopback address (local testing).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsConfigured => Issuer is not null;
}
