using System.Text.Json;
using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// Writes the vocabulary tables a cohort needs (<see cref="VocabularyTables"/>) from an Athena download to the lake as
/// Parquet under <c>vocabulary/&lt;version&gt;/&lt;table&gt;/</c>, then <c>manifest.json</c> last (IfNotExists): each
/// vocabulary version is published once, and readers see all of it or nothing. cdm_source.vocabulary_version of every
/// run mapped with that vocabulary names the same version. Streams: memory is one row group per table (plus the
/// "Is a" graph when concept_ancestor has to be derived for a shard: <see cref="ConceptAncestorBuilder"/>).
/// A table without rows still gets one empty part, so every table folder can be read.
/// </summary>
public sealed class VocabularyLakePublisher(ILake lake, PipelineOptions options)
{
    private static readonly JsonSerializerOptions Indented = new(StateJson.Options) { WriteIndented = true };

    public async Task<VocabularyPublication> PublishAsync(string athenaFolder, string version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(athenaFolder);
        ArgumentException.ThrowIfNullOrEmpty(version);
        var manifestPath = LakePaths.VocabularyManifest(version);
        if (await lake.GetAsync(manifestPath, cancellationToken).ConfigureAwait(false) is not null)
        {
            await using var existing = await lake.OpenReadAsync(manifestPath, cancellationToken).ConfigureAwait(false);
            var published = await JsonSerializer.DeserializeAsync<VocabularyManifest>(existing, Indented, cancellationToken).ConfigureAwait(false);
            return new VocabularyPublication(version, LakePaths.VocabularyPrefix(version), true, published!.Rows);
        }

        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var files = new List<PartOutput>();
        var ancestors = new ConceptAncestorBuilder();
        foreach (var table in VocabularyTables.All)
        {
            var path = Path.Combine(athenaFolder, AthenaTableReader.FileNameOf(table));
            if (!File.Exists(path)) throw new VocabularyFormatException("MissingTable", $"{AthenaTableReader.FileNameOf(table)} is missing from the vocabulary folder.");
            await using var writer = new TablePartWriter(lake, table, part => LakePaths.VocabularyPart(version, table.Name, part), options);
            long read = 0;
            await using (var stream = File.OpenRead(path))
            {
                foreach (var row in AthenaTableReader.ReadRows(stream, table))
                {
                    read++;
                    // concept and concept_relationship come before concept_ancestor: the fallback closure needs them.
                    if (table == VocabularyTables.Concept) ancestors.AddConcept((int)row[0]!, (string?)row[5]);
                    else if (table == VocabularyTables.ConceptRelationship) ancestors.AddRelationship((int)row[0]!, (int)row[1]!, (string)row[2]!, (string?)row[5]);
                    await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
                }
            }
            // A vocabulary shard ships CONCEPT_ANCESTOR header-only: derive it, or no cohort finds descendants.
            if (table == VocabularyTables.ConceptAncestor && read == 0)
            {
                foreach (var row in ancestors.Rows()) await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
            }
            await writer.CompleteAsync(cancellationToken, emptyPartWhenNoRows: true).ConfigureAwait(false);
            files.AddRange(writer.Parts);
            rows[table.Name] = writer.Parts.Sum(p => p.Rows);
        }
        var manifest = new VocabularyManifest(version, rows, files.Select(f => f.Path).ToList());
        try
        {
            await lake.WriteAsync(manifestPath, JsonSerializer.SerializeToUtf8Bytes(manifest, Indented), LakeWriteCondition.NotExists, cancellationToken).ConfigureAwait(false);
        }
        catch (LakeConditionFailedException)
        {
            // Published concurrently from the same download: the same tables.
        }
        return new VocabularyPublication(version, LakePaths.VocabularyPrefix(version), false, rows);
    }
}

/// <summary><c>vocabulary/&lt;version&gt;/manifest.json</c>.</summary>
public sealed record VocabularyManifest(string Version, IReadOnlyDictionary<string, long> Rows, IReadOnlyList<string> Files);

/// <summary>What <see cref="VocabularyLakePublisher.PublishAsync"/> did: the lake folder and rows per table;
/// <see cref="AlreadyPublished"/> when this version was in the lake before.</summary>
public sealed record VocabularyPublication(string Version, string Prefix, bool AlreadyPublished, IReadOnlyDictionary<string, long> Rows);
