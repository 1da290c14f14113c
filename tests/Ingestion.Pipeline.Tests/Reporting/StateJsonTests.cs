using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ingestion.Omop;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Tests.Reporting;

/// <summary>
/// What a run writes with <see cref="StateJson"/> (file results in the catalog; the fan-in's integrity result, pending
/// rows, report and manifest in the lake) has the same JSON with the build-time metadata as by reflection, and reads
/// back: lakes and catalogs written by an older build still read, readers see the same documents.
/// </summary>
public sealed class StateJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new(StateJson.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
    private static readonly DateTimeOffset At = new(2026, 12, 6, 21, 30, 15, 123, TimeSpan.FromHours(1));
    private static readonly IntegrityCorrection Correction = new("visit_occurrence", "preceding_visit_occurrence_id", IntegrityCorrection.Nulled, 3);

    public static TheoryData<object> Documents() => new()
    {
        new FileResult
        {
            LinesRead = 10, Bytes = 2048, ResourcesValid = 9, Quarantined = 1,
            Parts = [new PartOutput("measurement", "omop/measurement/part-1.parquet", 40, 4096)],
            RowsByTable = new Dictionary<string, long> { ["measurement"] = 40 },
            QuarantinedByReason = new Dictionary<string, long> { ["us-core:status"] = 1 },
            UnmappedCodes = [new UnmappedCode("measurement", "LOINC", "1234-5", 2)],
            RowKeysPath = "staging/file-3.keys",
        },
        new IntegrityResult
        {
            ReplacedParts = ["omop/visit_occurrence/part-2.parquet"],
            Corrections = [Correction],
            DuplicateRowsByTable = new Dictionary<string, long> { ["person"] = 2 },
            ForeignKeys = [new ForeignKeyCheck("measurement", "person_id", "person", 40, 0)],
        },
        new PendingRows { StagedPath = "_staging/r/integrity/pending/rows.keys", Parts = [new PartOutput("note", "p.parquet", 1, 10)], Rows = [Correction] },
        new RunManifest
        {
            RunId = "r1", CommittedAt = At, SourceId = "ehr", SourceKind = SourceKind.Folder, TransactionTime = At, CdmVersion = "5.4",
            VocabularyVersion = "v5", DeidentificationKeyFingerprint = "abc", Report = "reports/r1.json",
            Tables = new Dictionary<string, ManifestTable> { ["person"] = new(2, [new ManifestPart("omop/person/part-0.parquet", 2, 512)]) },
        },
        new RunReport
        {
            RunId = "r1",
            Totals = new RunTotals { FilesTotal = 2, ResourcesRead = 10, RowsByTable = new Dictionary<string, long> { ["person"] = 2 } },
            QuarantinedByReason = new Dictionary<string, long> { ["ndjson:invalid-json"] = 1 },
            NotCoveredByResourceType = new Dictionary<string, long>(),
            ValidationIssues = new Dictionary<string, long> { ["us-core-6"] = 4 },
            TopUnmappedCodes = [new UnmappedCode("measurement", "LOINC", "1234-5", 2)],
            Files = [new RunReportFile(0, ManifestFileKind.Output, "Patient", 1, 5, 5, 0, 0, null) { Excluded = 1 }],
        },
        new List<UnmappedCode> { new("condition_occurrence", "SNOMED", "1", 1) },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void A_document_has_the_same_json_as_by_reflection_and_reads_back(object document)
    {
        var json = JsonSerializer.Serialize(document, document.GetType(), StateJson.Options);

        Assert.Equal(JsonSerializer.Serialize(document, document.GetType(), Reflection), json);
        Assert.Equal(json, JsonSerializer.Serialize(JsonSerializer.Deserialize(json, document.GetType(), StateJson.Options), document.GetType(), Reflection));
    }
}
