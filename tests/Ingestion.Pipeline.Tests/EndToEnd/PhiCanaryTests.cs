using System.Text;
using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>Known PHI goes in; it must come out nowhere but the quarantine lake.</summary>
public sealed class PhiCanaryTests
{
    private static readonly string[] Canaries =
    [
        "Zebulon", "Canaryfield", "MRN-CANARY-778899", "999-12-3456", "617-555-0143", "canary.person@example.org",
        "42 Canary Wharf Lane", "02139", "1961-07-14", "CANARY NOTE", "EXT-ID-CANARY-4455", "canary-patient-31337",
    ];

    [Fact]
    public async Task PHI_in_the_input_appears_in_no_parquet_column_report_manifest_status_or_log_line()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var folder = Directory.CreateDirectory(Path.Combine(h.Root, "landed")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "Patient.ndjson"), Line(Patient));
        await File.WriteAllTextAsync(Path.Combine(folder, "Observation.ndjson"), Line(Observation) + Line(ObservationWithoutSubject) + "{not json: Zebulon Canaryfield 999-12-3456\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "Condition.ndjson"), Line(Condition));
        var logs = new CapturingLoggerFactory();
        var pipeline = await h.OpenPipelineAsync(logs: logs);
        var id = await pipeline.StartNewAsync(DemoPipelineHarness.FolderInput("canary", folder));

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RunOutcome.Completed, status.Outcome);
        var manifest = await h.ManifestAsync(pipeline, id);
        Assert.Equal(1, manifest.Tables["person"].Rows);
        Assert.Equal(1, manifest.Tables["condition_occurrence"].Rows);
        Assert.Equal(1, manifest.Tables["measurement"].Rows + (manifest.Tables.GetValueOrDefault("observation")?.Rows ?? 0));
        Assert.Equal(2, status.Totals.ResourcesQuarantined);

        var outputs = new StringBuilder();
        // Every Parquet value, as DuckDB renders it.
        foreach (var (table, t) in manifest.Tables)
        {
            var parts = string.Join(",", t.Files.Select(f => DuckDb.Literal(Path.Combine(pipeline.Lake.Location, f.Path))));
            var rows = await DuckDb.QueryAsync($"SELECT CAST(t AS VARCHAR) FROM read_parquet([{parts}]) t");
            foreach (var row in rows.Rows) outputs.AppendLine(row[0].ToString());
        }
        // Every other object in the lake (manifest, report, unmapped summary, staging).
        await foreach (var item in pipeline.Lake.ListAsync(""))
        {
            if (item.Path.EndsWith(".parquet", StringComparison.Ordinal)) continue;
            await using var stream = await pipeline.Lake.OpenReadAsync(item.Path);
            outputs.AppendLine(await new StreamReader(stream).ReadToEndAsync());
        }
        outputs.AppendLine(JsonSerializer.Serialize(status.Run, StateJson.Options));
        await foreach (var file in pipeline.Runtime.Catalog.ListFilesAsync(id, CancellationToken.None)) outputs.AppendLine(JsonSerializer.Serialize(file, StateJson.Options));
        await foreach (var entry in pipeline.Runtime.Catalog.ListAuditAsync(id, CancellationToken.None)) outputs.AppendLine(JsonSerializer.Serialize(entry, StateJson.Options));
        outputs.AppendLine((await pipeline.Runtime.Client.GetInstanceAsync(id, getInputsAndOutputs: true))?.SerializedOutput);
        foreach (var line in logs.Lines) outputs.AppendLine(line);
        var text = outputs.ToString();

        foreach (var canary in Canaries)
        {
            // Report which canary leaked, never the surrounding output.
            Assert.False(text.Contains(canary, StringComparison.OrdinalIgnoreCase), $"canary #{Array.IndexOf(Canaries, canary)} leaked into the published output");
        }
        // The documented research query (docs/lake-layout.md) finds the one type 2 diabetes patient with HbA1c ≥ 6.5 %.
        var cohort = await DuckDb.QueryAsync(CohortSql(pipeline.Lake.Location.Replace('\\', '/')));
        Assert.Equal(1, long.Parse(cohort.Scalar.GetString()!));
        // The quarantine lake keeps the original lines (it is the PHI store, access-restricted).
        var quarantine = await DemoPipelineHarness.QuarantineRecordsAsync(pipeline, id);
        Assert.Equal(2, quarantine.Count);
    }

    /// <summary>The type 2 diabetes + HbA1c ≥ 6.5 % cohort over the latest committed run, as in docs/lake-layout.md.</summary>
    private static string CohortSql(string lake) => $$"""
        CREATE VIEW committed_runs AS SELECT runId, committedAt FROM read_json('{{lake}}/_runs/*/manifest.json', columns = {runId: 'VARCHAR', committedAt: 'TIMESTAMPTZ'});
        CREATE VIEW latest_run AS SELECT runId FROM committed_runs ORDER BY committedAt DESC LIMIT 1;
        CREATE VIEW person AS SELECT * EXCLUDE (run) FROM read_parquet('{{lake}}/omop/person/run=*/*.parquet', hive_partitioning = true) WHERE run IN (SELECT runId FROM latest_run);
        CREATE VIEW condition_occurrence AS SELECT * EXCLUDE (run) FROM read_parquet('{{lake}}/omop/condition_occurrence/run=*/*.parquet', hive_partitioning = true) WHERE run IN (SELECT runId FROM latest_run);
        CREATE VIEW measurement AS SELECT * EXCLUDE (run) FROM read_parquet('{{lake}}/omop/measurement/run=*/*.parquet', hive_partitioning = true) WHERE run IN (SELECT runId FROM latest_run);
        SELECT count(DISTINCT p.person_id) AS persons
        FROM person p
        JOIN condition_occurrence c ON c.person_id = p.person_id
        JOIN measurement m ON m.person_id = p.person_id
        WHERE (c.condition_concept_id = 201826 OR c.condition_source_value = '44054006')
          AND (m.measurement_concept_id = 3004410 OR m.measurement_source_value = '4548-4')
          AND m.value_as_number >= 6.5;
        """;

    /// <summary>One NDJSON line (the fixtures are written over several lines for reading).</summary>
    private static string Line(string json) => json.ReplaceLineEndings("") + "\n";

    private const string Patient = """
        {"resourceType":"Patient","id":"canary-patient-31337","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]},
         "extension":[{"url":"http://example.org/fhir/StructureDefinition/legacy-id","valueIdentifier":{"system":"http://example.org/legacy","value":"EXT-ID-CANARY-4455"}},
           {"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex","valueCode":"M"}],
         "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"system":"http://hospital.example.org/mrn","value":"MRN-CANARY-778899"},
           {"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"SS"}]},"system":"http://hl7.org/fhir/sid/us-ssn","value":"999-12-3456"}],
         "name":[{"use":"official","family":"Canaryfield","given":["Zebulon"]}],
         "telecom":[{"system":"phone","value":"617-555-0143","use":"home"},{"system":"email","value":"canary.person@example.org"}],
         "gender":"male","birthDate":"1961-07-14",
         "address":[{"line":["42 Canary Wharf Lane"],"city":"Cambridge","state":"MA","postalCode":"02139-4307","country":"US"}]}
        """;

    private const string Observation = """
        {"resourceType":"Observation","id":"obs-canary-1","status":"final",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"4548-4","display":"Hemoglobin A1c"}],"text":"HbA1c for Zebulon Canaryfield"},
         "subject":{"reference":"Patient/canary-patient-31337","display":"Zebulon Canaryfield"},
         "effectiveDateTime":"2020-03-04T10:00:00Z","valueQuantity":{"value":7.1,"unit":"%","system":"http://unitsofmeasure.org","code":"%"},
         "note":[{"text":"CANARY NOTE: patient disclosed 617-555-0143"}]}
        """;

    private const string ObservationWithoutSubject = """
        {"resourceType":"Observation","id":"obs-canary-2","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},
         "effectiveDateTime":"2020-03-04","note":[{"text":"CANARY NOTE again, MRN-CANARY-778899"}]}
        """;

    private const string Condition = """
        {"resourceType":"Condition","id":"cond-canary-1",
         "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"problem-list-item"}]}],
         "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006","display":"Diabetes mellitus type 2"}],"text":"Zebulon's diabetes"},
         "subject":{"reference":"Patient/canary-patient-31337"},"onsetDateTime":"2019-05-01","recordedDate":"2019-05-02",
         "note":[{"text":"CANARY NOTE: lives at 42 Canary Wharf Lane"}]}
        """;
}
