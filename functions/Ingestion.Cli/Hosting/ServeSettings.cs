namespace Ingestion.Cli.Hosting;

/// <summary>
/// Settings of `serve` (section "Host"). Under the Functions host, FUNCTIONS_CUSTOMHANDLER_PORT names the port and
/// the queue trigger delivers work, so the app runs no queue workers of its own.
/// </summary>
public sealed class ServeSettings
{
    public const string SectionName = "Host";

    /// <summary>Embedded (SQLite, local lake) or Azure (Cosmos DB, Storage queue, Blob, Service Bus).</summary>
    public string Mode { get; set; } = "Embedded";

    /// <summary>Port on 127.0.0.1 when not under the Functions host.</summary>
    public int Port { get; set; } = 7071;

    /// <summary>Run queue workers in-process (standalone). Default: on, except under the Functions host.</summary>
    public bool? RunWorkers { get; set; }

    /// <summary>Name of the queue trigger's binding in FunctionApp/ProcessWork/function.json.</summary>
    public string QueueBindingName { get; set; } = "message";

    /// <summary>The FHIR server the scheduled and ad-hoc exports read (Fhir:BaseUrl).</summary>
    public string? FhirBaseUrl { get; set; }
}
