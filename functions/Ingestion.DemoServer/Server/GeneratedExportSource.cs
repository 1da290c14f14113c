using System.Runtime.CompilerServices;

namespace Ingestion.DemoServer;

/// <summary>Exports the synthetic generator's output, produced on the fly for each export.</summary>
internal sealed class GeneratedExportSource(SyntheticPatientGenerator generator) : IExportSource
{
    private readonly Lazy<GenerationReport> _expected = new(generator.Report);

    public IReadOnlyCollection<string> ResourceTypes { get; } =
        ["Patient", .. SyntheticPatientGenerator.ClinicalTypes, "Practitioner", "Organization", "Location"];

    public bool KnowsLastUpdated => true;
    public GenerationReport Expected => _expected.Value;
    public IEnumerable<GeneratedDeletion> Deletions => generator.GenerateDeletions();

    public async IAsyncEnumerable<ExportLine> ReadAsync(IReadOnlySet<string>? types, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var n = 0;
        foreach (var record in generator.Generate())
        {
            // Generation is CPU-bound: yield now and then so a cancelled export stops promptly.
            if (++n % 4096 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
            }
            if (types is not null && !types.Contains(record.ResourceType)) continue;
            yield return new ExportLine(record.ResourceType, record.NdjsonLine, record.PatientId, record.LastUpdated);
        }
    }
}
