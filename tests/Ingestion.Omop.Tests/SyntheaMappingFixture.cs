using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Privacy;
using Ingestion.Testing;

namespace Ingestion.Omop.Tests;

/// <summary>
/// Builds the Synthea27Nj vocabulary subset once and maps every NDJSON file of the 100-patient Synthea export with
/// it, file by file (one report per file, merged into a run report), as the pipeline does.
/// </summary>
public sealed class SyntheaMappingFixture : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("synthea-omop-").FullName;

    internal VocabularyFile Vocabulary { get; }
    /// <summary>The real keyed de-identifier (fixed test key), so the run exercises production date and key rules.</summary>
    internal KeyedDeidentifier Deidentifier { get; } = new(new DeidentificationOptions
    {
        Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
        ReferenceDate = new DateOnly(2026, 1, 1),
    });
    internal RecordingSink Sink { get; } = new();
    public MappingReport RunReport { get; } = new();
    public Dictionary<string, long> LinesByResourceType { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, MappingReport> FileReports { get; } = new(StringComparer.Ordinal);

    public SyntheaMappingFixture()
    {
        var vocabularyFile = Path.Combine(_folder, "synthea27nj.vocab");
        VocabularyFile.BuildAsync(SharedData.PathOf("omop", "vocab-synthea27nj"), vocabularyFile, CancellationToken.None).GetAwaiter().GetResult();
        Vocabulary = VocabularyFile.Open(vocabularyFile);
        var mapper = new OmopMapper(Vocabulary, Deidentifier);
        foreach (var file in Directory.EnumerateFiles(SharedData.PathOf("synthea", "100-patients"), "*.ndjson").Order(StringComparer.Ordinal))
        {
            var report = new MappingReport();
            var type = Path.GetFileNameWithoutExtension(file);
            foreach (var line in File.ReadLines(file))
            {
                if (line.Length == 0) continue;
                LinesByResourceType[type] = LinesByResourceType.GetValueOrDefault(type) + 1;
                using var document = ResourceDocument.Parse(line);
                mapper.Map(document.RootElement, Sink, report);
            }
            FileReports[type] = report;
            RunReport.Merge(report);
        }
    }

    public void Dispose()
    {
        Vocabulary.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
