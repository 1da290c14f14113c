using System.Globalization;
using Ingestion.DemoServer;
using Ingestion.Omop;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>Data dated today (the hour before the export): after de-identification no date of any table lies after the
/// export's transactionTime, and the run's data-quality report has no plausibleDateRange finding (DQD's "date in the
/// future").</summary>
public sealed class NoFutureDatesTests
{
    [Fact]
    public async Task Events_of_the_last_hour_stay_on_or_before_the_export_date_in_every_table()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var folder = Directory.CreateDirectory(Path.Combine(h.Root, "today")).FullName;
        var now = DateTimeOffset.UtcNow.AddMinutes(-30).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var earlier = DateTimeOffset.UtcNow.AddMinutes(-90).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var patients = Enumerable.Range(1, 20).Select(i => $"p{i}").ToList();
        string Lines(Func<string, string> resource) => string.Join("\n", patients.Select(resource)) + "\n";
        await File.WriteAllTextAsync(Path.Combine(folder, "Patient.ndjson"), Lines(p =>
            $$$"""{"resourceType":"Patient","id":"{{{p}}}","gender":"female","birthDate":"1970-01-02"}"""));
        await File.WriteAllTextAsync(Path.Combine(folder, "Encounter.ndjson"), Lines(p =>
            $$$"""{"resourceType":"Encounter","id":"e-{{{p}}}","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"Patient/{{{p}}}"},"period":{"start":"{{{earlier}}}","end":"{{{now}}}"}}"""));
        await File.WriteAllTextAsync(Path.Combine(folder, "Condition.ndjson"), Lines(p =>
            $$$"""{"resourceType":"Condition","id":"c-{{{p}}}","code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]},"subject":{"reference":"Patient/{{{p}}}"},"onsetDateTime":"{{{now}}}"}"""));
        await File.WriteAllTextAsync(Path.Combine(folder, "Observation.ndjson"), Lines(p =>
            $$$"""{"resourceType":"Observation","id":"o-{{{p}}}","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"subject":{"reference":"Patient/{{{p}}}"},"effectiveDateTime":"{{{now}}}","valueQuantity":{"value":7.1,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}"""));
        await File.WriteAllTextAsync(Path.Combine(folder, "MedicationRequest.ndjson"), Lines(p =>
            $$$"""{"resourceType":"MedicationRequest","id":"m-{{{p}}}","status":"active","intent":"order","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"310965"}]},"subject":{"reference":"Patient/{{{p}}}"},"authoredOn":"{{{now}}}","dispenseRequest":{"expectedSupplyDuration":{"value":30,"unit":"days","system":"http://unitsofmeasure.org","code":"d"} } }"""));
        await using var pipeline = await h.OpenPipelineAsync();

        var id = await pipeline.StartNewAsync(DemoPipelineHarness.FolderInput("today", folder));
        Assert.Equal(RunOutcome.Completed, (await DemoPipelineHarness.RunAsync(pipeline, id)).Outcome);

        var manifest = await h.ManifestAsync(pipeline, id);
        var ceiling = DateOnly.FromDateTime(manifest.TransactionTime!.Value.UtcDateTime);
        Assert.True(manifest.Tables["drug_exposure"].Rows == patients.Count && manifest.Tables["measurement"].Rows == patients.Count);
        var lake = pipeline.Lake.Location.Replace('\\', '/');
        foreach (var table in CdmTables.All.Where(t => t.IsCdm && manifest.Tables.ContainsKey(t.Name)))
        {
            foreach (var column in table.Columns.Where(c => c.Type is OmopColumnType.Date or OmopColumnType.DateTime))
            {
                var latest = await DuckDb.QueryAsync($"SELECT CAST(max({column.Name}) AS DATE) FROM read_parquet('{lake}/omop/{table.Name}/run={id}/*.parquet', hive_partitioning = true)");
                if (latest.Scalar.GetString() is { } date)
                    Assert.True(DateOnly.Parse(date, CultureInfo.InvariantCulture) <= ceiling, $"{table.Name}.{column.Name}: {date} after the export date {ceiling}");
            }
        }
        var report = await h.ReportAsync(pipeline, id);
        Assert.DoesNotContain(report.DataQuality!.Findings, f => f.Check == DataQualityChecks.PlausibleDateRange);
    }
}
