namespace Ingestion.Cli.Hosting;

/// <summary>Section "Host": how `serve` runs (e.g. <c>Host__Port</c>, <c>Host__Mode=Azure</c>).</summary>
public sealed class ServeSettings
{
    public const string SectionName = "Host";

    /// <summary>Embedded (SQLite catalog, local lakes) or Azure (Cosmos catalog, Blob lakes, Service Bus events).</summary>
    public string Mode { get; set; } = "Embedded";

    /// <summary>The run API's port on 127.0.0.1.</summary>
    public int Port { get; set; } = 7071;
}
