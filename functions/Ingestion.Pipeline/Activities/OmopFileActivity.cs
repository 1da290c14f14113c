using Ingestion.Fhir.Json;
using Ingestion.Privacy;
using System.Text.Json;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Validation;
using Ingestion.Omop;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// The file activity: stream the file's lines → parse → validate → map to OMOP (de-identifying) → Parquet parts
/// per table in the lake, and every rejected line to the quarantine lake with its reason. Memory is bounded:
/// one line, one resource's rows and one row group per table at a time. Output names are deterministic, so a
/// re-run replaces this file's parts and nothing else.
/// </summary>
public sealed class OmopFileActivity(ILake lake, ILake quarantine, OmopMapper mapper, IResourceValidator? validator, PipelineOptions options, CrosswalkOutput? crosswalk = null) : IFileActivity
{
    public async Task<FileResult> RunAsync(FileActivityContext context, CancellationToken cancellationToken)
    {
        var activity = context.Activity;
        var runId = activity.InstanceId;
        var report = new MappingReport();
        var issues = new Dictionary<string, long>(StringComparer.Ordinal);
        var exportDate = DateOnly.FromDateTime((context.Run.TransactionTime ?? context.Run.CreatedTime).UtcDateTime);
        var sink = new MappedRows(exportDate);
        var eraRows = new OmopRowBuffer(CdmTables.EraEvents);
        var writers = new Dictionary<string, TablePartWriter>(StringComparer.Ordinal);
        await using var eraEvents = EraEventStaging.Create(lake, EraEventStaging.PathOf(runId, activity.Index));
        await using var deaths = DeathStaging.Create(lake, DeathStaging.PathOf(runId, activity.Index));
        await using var rowKeys = new RowKeyStager(lake, RowKeyStaging.PathOf(runId, activity.Index));
        var quality = new DataQualityChecks(mapper.Vocabulary, exportDate);
        await using var rejects = new QuarantineWriter(quarantine, activity);
        // With a crosswalk configured, this file maps through a de-identifier that notes every key it derives.
        var recorder = crosswalk is null ? null : new CrosswalkRecorder(crosswalk.Deidentifier);
        var fileMapper = recorder is null ? mapper : crosswalk!.MapperFor(recorder);
        await using var crosswalkUpload = crosswalk is null ? null : await crosswalk.Store.StartUploadAsync(CrosswalkOutput.PathOf(runId, activity.Index), cancellationToken: cancellationToken).ConfigureAwait(false);
        // Not `await using`: it is disposed before the upload commits, and a second dispose would flush into the
        // closed upload stream. An abandoned upload discards whatever it holds.
        var crosswalkWriter = crosswalkUpload is null ? null : new ReidentificationCrosswalk(crosswalkUpload.Content, leaveOpen: true);
        long lines = 0, bytes = 0, valid = 0, notCovered = 0, excluded = 0, serverErrors = 0, deletions = 0;
        // A resource that is validated has its duplicate keys ruled out by the validator's walk, which reads every
        // object's names anyway; a deleted resource is not validated, so its line is checked as it is parsed.
        var parserOptions = validator is not null && activity.FileKind != ManifestFileKind.Deleted ? DeferringParserOptions : ParserOptions;
        try
        {
            var file = new BulkExportFile(activity.ResourceType, activity.Url, activity.ExpectedCount);
            await foreach (var line in context.Source.ReadFileAsync(file, context.Run.RequiresAccessToken, cancellationToken).ConfigureAwait(false))
            {
                lines++;
                bytes += line.Utf8.Length;
                if (line.Error is not null)
                {
                    var reason = "ndjson:" + ReasonCode(line.Error);
                    report.RecordQuarantined(reason);
                    await rejects.WriteAsync(line.LineNumber, reason, line.Utf8, originalIsJson: false, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (activity.FileKind == ManifestFileKind.Error)
                {
                    // The server's OperationOutcomes: kept verbatim (they may quote patient data) and counted.
                    serverErrors++;
                    await rejects.WriteAsync(line.LineNumber, "server-error", line.Utf8, originalIsJson: true, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                // One strict FHIR JSON pass (duplicate keys, string limits, well-formedness), then the one tree that
                // validation and mapping both read.
                var parsed = ResourceParser.Parse(line, parserOptions);
                ValidationResult? validated = null;
                if (parsed.Succeeded && !parsed.DuplicateKeysChecked)
                {
                    validated = validator!.Validate(parsed.Document!.RootElement, out var noDuplicateKeys);
                    if (!noDuplicateKeys)
                    {
                        // The walk could not rule them out: the line is read again with the check, and a duplicate
                        // rejects it exactly as the one strict pass always has.
                        var strict = ResourceParser.Parse(line, ParserOptions);
                        if (strict.Succeeded) strict.Document!.Dispose();
                        else
                        {
                            parsed.Document!.Dispose();
                            (parsed, validated) = (strict, null);
                        }
                    }
                }
                if (parsed.Error is { } parseError)
                {
                    var reason = ParseRejection(parseError, parsed.JsonIssues, issues);
                    report.RecordQuarantined(reason);
                    await rejects.WriteAsync(line.LineNumber, reason, line.Utf8, originalIsJson: false, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                using var document = parsed.Document!;
                var resource = document.RootElement;

                MappingOutcome outcome;
                if (activity.FileKind == ManifestFileKind.Deleted)
                {
                    outcome = fileMapper.MapDeleted(resource, sink, report, context.Run.TransactionTime?.UtcDateTime);
                    if (outcome.Status == MappingStatus.Mapped) deletions += outcome.Rows;
                }
                else
                {
                    var rejection = Validate(resource, validated, parsed.JsonIssues, issues);
                    if (rejection is not null)
                    {
                        report.RecordQuarantined(rejection);
                        await rejects.WriteAsync(line.LineNumber, rejection, line.Utf8, originalIsJson: true, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    outcome = fileMapper.Map(resource, sink, report);
                }

                if (recorder is not null) await recorder.DrainToAsync(crosswalkWriter!, cancellationToken).ConfigureAwait(false);
                switch (outcome.Status)
                {
                    case MappingStatus.Quarantined:
                        await rejects.WriteAsync(line.LineNumber, "mapping:" + outcome.QuarantineReason, line.Utf8, originalIsJson: true, cancellationToken).ConfigureAwait(false);
                        continue;
                    case MappingStatus.NotCovered:
                        notCovered++;
                        break;
                    case MappingStatus.Excluded:
                        excluded++;
                        break;
                    default:
                        valid++;
                        break;
                }
                rowKeys.BeginResource(resource, line.LineNumber);
                // Indexed, not foreach: the list is an interface (a boxed enumerator per resource otherwise).
                var mapped = sink.Rows;
                for (var i = 0; i < mapped.Count; i++)
                {
                    var (rows, row) = mapped[i];
                    var table = rows.Table;
                    if (ReferenceEquals(table, CdmTables.Death))
                    {
                        // Merged per person at fan-in (the Patient's and the death certificate's rows), like
                        // observation_period not among the per-file checks.
                        await DeathStaging.WriteAsync(deaths, rows, row, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    eraRows.Clear();
                    if (EraEvents.TryAdd(rows, row, eraRows)) await EraEventStaging.WriteAsync(eraEvents, eraRows, 0, cancellationToken).ConfigureAwait(false);
                    if (!writers.TryGetValue(table.Name, out var writer))
                    {
                        var name = table.Name;
                        writer = new TablePartWriter(lake, table, part => LakePaths.Part(name, runId, activity.Index, part), options);
                        writers.Add(table.Name, writer);
                    }
                    quality.Observe(rows, row);
                    await writer.WriteAsync(rows, row, cancellationToken).ConfigureAwait(false);
                    await rowKeys.WriteAsync(rows, row, cancellationToken).ConfigureAwait(false);
                }
                sink.Clear();
            }

            foreach (var writer in writers.Values) await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await eraEvents.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await deaths.CompleteAsync(cancellationToken).ConfigureAwait(false);
            var rowKeysPath = await rowKeys.CompleteAsync(cancellationToken).ConfigureAwait(false);
            if (crosswalkWriter is not null)
            {
                // Dispose flushes into the (left open) upload stream; the commit then closes and publishes it.
                await crosswalkWriter.DisposeAsync().ConfigureAwait(false);
                await crosswalkUpload!.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            var quarantinePath = await rejects.CompleteAsync(cancellationToken).ConfigureAwait(false);
            var personDates = await PersonDatesStaging.WriteAsync(lake, runId, activity.Index, sink.PersonDates, cancellationToken).ConfigureAwait(false);
            var parts = writers.Values.SelectMany(w => w.Parts).OrderBy(p => p.Path, StringComparer.Ordinal).ToList();
            return new FileResult
            {
                LinesRead = lines,
                Bytes = bytes,
                ResourcesValid = valid,
                Quarantined = rejects.Count - serverErrors,
                NotCovered = notCovered,
                Excluded = excluded,
                ServerErrors = serverErrors,
                Deletions = deletions,
                Parts = parts,
                RowsByTable = parts.GroupBy(p => p.Table).ToDictionary(g => g.Key, g => g.Sum(p => p.Rows), StringComparer.Ordinal),
                UnmappedRowsByTable = new Dictionary<string, long>(report.UnmappedRowsByTable, StringComparer.Ordinal),
                QuarantinedByReason = QuarantineReasons(report),
                NotCoveredByResourceType = new Dictionary<string, long>(report.NotCoveredByResourceType, StringComparer.Ordinal),
                ExcludedByReason = new Dictionary<string, long>(report.ExcludedByReason, StringComparer.Ordinal),
                UnmappedCodes = report.UnmappedCodes.Select(kv => new UnmappedCode(kv.Key.Table, kv.Key.Vocabulary, kv.Key.Code, kv.Value)).ToList(),
                ValidationIssues = issues,
                DataQuality = quality.ToResult(),
                QuarantinePath = quarantinePath,
                PersonDatesPath = personDates,
                RowKeysPath = rowKeysPath,
            };
        }
        finally
        {
            foreach (var writer in writers.Values) await writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static readonly ResourceParserOptions ParserOptions = ResourceParserOptions.Default;
    private static readonly ResourceParserOptions DeferringParserOptions = ParserOptions with { DeferDuplicateKeys = true };

    /// <summary>Null when the resource may be mapped; otherwise the quarantine reason (an issue code, never a value).
    /// The strict JSON findings (<paramref name="jsonIssues"/>, errors such as an over-long string) count like
    /// validation issues.</summary>
    /// <paramref name="validated"/>: the resource's result when it was validated already (with its parse).
    private string? Validate(ResourceElement resource, ValidationResult? validated, IReadOnlyList<ValidationIssue>? jsonIssues, Dictionary<string, long> issues)
    {
        string? firstError = null;
        if (jsonIssues is not null) Count(jsonIssues, issues, ref firstError);
        if (validator is null) return options.StrictValidation && firstError is not null ? "validation:" + firstError : null;
        var result = validated ?? validator.Validate(resource);
        Count(result.Issues, issues, ref firstError);
        if (!result.Usable) return "validation:" + (firstError ?? "unusable");
        if (options.StrictValidation && firstError is not null) return "validation:" + firstError;
        return null;
    }

    /// <summary>A line the strict JSON read refused. Malformed JSON keeps the readers' reason (the landed-folder reader
    /// leaves all but the object and its resourceType to this pass); the FHIR JSON rules (duplicate keys, also a second
    /// resourceType; depth) are validation findings.</summary>
    private static string ParseRejection(ValidationIssue error, IReadOnlyList<ValidationIssue>? jsonIssues, Dictionary<string, long> issues)
    {
        if (error.RuleId == ResourceParser.RuleMalformedJson) return "ndjson:invalid-json";
        string? firstError = null;
        Count(jsonIssues ?? [error], issues, ref firstError);
        return "validation:" + error.RuleId;
    }

    private static void Count(IReadOnlyList<ValidationIssue> found, Dictionary<string, long> issues, ref string? firstError)
    {
        // Indexed, not foreach, and one lookup per issue: called for every resource.
        for (var i = 0; i < found.Count; i++)
        {
            var issue = found[i];
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(issues, issue.RuleId, out _)++;
            if (firstError is null && issue.Severity is IssueSeverity.Error or IssueSeverity.Fatal) firstError = issue.RuleId;
        }
    }

    /// <summary>The reader's reasons start with a stable code ("invalid-json: ...").</summary>
    private static string ReasonCode(string error)
    {
        var colon = error.IndexOf(':');
        return colon > 0 ? error[..colon] : error;
    }

    private static Dictionary<string, long> QuarantineReasons(MappingReport report)
    {
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (reason, n) in report.QuarantinedByReason)
        {
            // The mapper records its own reasons bare; prefix them like the quarantine records.
            var key = reason.StartsWith("ndjson:", StringComparison.Ordinal) || reason.StartsWith("validation:", StringComparison.Ordinal) ? reason : "mapping:" + reason;
            reasons[key] = n;
        }
        return reasons;
    }
}
