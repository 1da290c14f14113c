namespace Ingestion.DemoServer;

/// <summary>Where an export's lines come from: the synthetic generator or a folder of NDJSON files.</summary>
internal interface IExportSource
{
    /// <summary>Resource types this source can serve (for _type validation and the CapabilityStatement).</summary>
    IReadOnlyCollection<string> ResourceTypes { get; }

    /// <summary>True when lines carry lastUpdated (so _since/_until can be honoured).</summary>
    bool KnowsLastUpdated { get; }

    /// <summary>What a full export contains.</summary>
    GenerationReport Expected { get; }

    IAsyncEnumerable<ExportLine> ReadAsync(IReadOnlySet<string>? types, CancellationToken cancellationToken);

    IEnumerable<GeneratedDeletion> Deletions { get; }
}
