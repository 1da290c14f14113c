namespace Ingestion.Orchestration;

/// <summary>
/// One named source (configuration <c>Sources:&lt;id&gt;:…</c>, e.g. <c>Sources__ehr1__FhirBaseUrl</c>): where its data
/// comes from, how to authenticate (references to secrets, never the secrets), what to export and when.
/// </summary>
public sealed class SourceDefinition
{
    /// <summary>Set from the configuration key; letters, digits, '-' and '_' (it is part of run ids).</summary>
    public string Id { get; set; } = "";
    /// <summary>The FHIR server's base URL (a Bulk Data $export source).</summary>
    public Uri? FhirBaseUrl { get; set; }
    /// <summary>A landed folder path (instead of a FHIR server).</summary>
    public string? LandedFolder { get; set; }
    /// <summary>A landed blob container, optionally with a prefix ("container/prefix").</summary>
    public string? LandedContainer { get; set; }
    /// <summary>SMART Backend Services client id.</summary>
    public string? ClientId { get; set; }
    /// <summary>Where the private key is: a file path or a Key Vault secret reference.</summary>
    public string? KeyReference { get; set; }
    /// <summary>The JWK "kid" of the signing key.</summary>
    public string? KeyId { get; set; }
    /// <summary>RS384 or ES384.</summary>
    public string Algorithm { get; set; } = "RS384";
    public string Scope { get; set; } = "system/*.read";
    public Uri? TokenEndpoint { get; set; }
    /// <summary>Hosts file URLs may point to besides the FHIR server's own.</summary>
    public List<string> AllowedFileHosts { get; set; } = [];
    /// <summary>system, patient or group.</summary>
    public string Level { get; set; } = "system";
    public string? GroupId { get; set; }
    public List<string> Types { get; set; } = [];
    public List<string> TypeFilters { get; set; } = [];
    /// <summary>NCRONTAB (six fields, with seconds) in UTC, e.g. "0 0 2 * * *"; empty = not scheduled.</summary>
    public string? Schedule { get; set; }
    /// <summary>Send the watermark of the last published run as _since.</summary>
    public bool Incremental { get; set; } = true;
    /// <summary>When this source's runs raise alerts (<c>Sources:&lt;id&gt;:Alerts:…</c>).</summary>
    public SourceAlertOptions Alerts { get; set; } = new();

    public ExportSourceKind Kind => FhirBaseUrl is not null ? ExportSourceKind.FhirServer
        : LandedContainer is not null ? ExportSourceKind.LandedBlobContainer
        : ExportSourceKind.LandedFolder;
}
