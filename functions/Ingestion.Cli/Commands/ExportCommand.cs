using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `export --fhir-base URL --lake DIR [...]`: the full pipeline on any FHIR server (a durable run: kick-off, poll,
/// validate, map, de-identify, Parquet, publish; `resume ID` continues it after an interruption).
/// `export --fhir-base URL --output DIR`: lands the NDJSON files, the manifest and a summary in a folder instead
/// (for `ingest` later); its polling state is saved in the folder (<c>export-job.json</c>), so running the same
/// command again after an interruption resumes the same export.
/// </summary>
internal static class ExportCommand
{
    private const string JobFileName = "export-job.json";

    public static Command Create()
    {
        var baseUrl = new Option<string>("--fhir-base", "--base-url") { Description = "FHIR server base URL (e.g. https://ehr.example.org/fhir); Fhir:BaseUrl.", DefaultValueFactory = _ => PipelineCommandOptions.LoadConfiguration()["Fhir:BaseUrl"] ?? "" };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Land the NDJSON files, manifest.json and export-summary.json in this folder (no pipeline)." };
        var shared = new PipelineCommandOptions();
        var incremental = new Option<bool>("--incremental") { Description = "With --lake: _since = the transactionTime of this server's last completed run." };
        var level = new Option<string>("--level") { Description = "Export level: system, patient or group.", DefaultValueFactory = _ => "system" };
        level.AcceptOnlyFromAmong("system", "patient", "group");
        var groupId = new Option<string?>("--group-id") { Description = "Group id (with --level group)." };
        var types = new Option<string[]>("--type") { Description = "Resource types (_type); repeat or comma-separate.", AllowMultipleArgumentsPerToken = true };
        var since = new Option<string?>("--since") { Description = "Only resources changed after this instant (_since)." };
        var until = new Option<string?>("--until") { Description = "Only resources changed before this instant (_until)." };
        var typeFilters = new Option<string[]>("--type-filter") { Description = "_typeFilter queries, e.g. Observation?category=laboratory; repeatable." };
        var elements = new Option<string[]>("--elements") { Description = "_elements; repeat or comma-separate.", AllowMultipleArgumentsPerToken = true };
        var patients = new Option<string[]>("--patient") { Description = "Patient ids (sent with POST); repeatable." };
        var post = new Option<bool>("--post") { Description = "Kick off with POST and a Parameters body instead of GET." };
        var lenient = new Option<bool>("--lenient") { Description = "Prefer: handling=lenient (server ignores unsupported parameters)." };
        var partial = new Option<bool>("--allow-partial-manifests") { Description = "Ask for partial manifests (allowPartialManifests)." };
        var clientId = new Option<string?>("--client-id") { Description = "SMART Backend Services client id, enables auth (Fhir:Smart:ClientId)." };
        var keyFile = new Option<FileInfo?>("--key-file") { Description = "Private key of the client: PEM or JWK file (else the setting Fhir:Smart:PrivateKeyPem or Fhir:Smart:Jwk)." };
        var keyId = new Option<string?>("--key-id") { Description = "Key id (kid) registered with the server (Fhir:Smart:KeyId)." };
        var algorithm = new Option<string>("--algorithm") { Description = "RS384 or ES384 (Fhir:Smart:Algorithm).", DefaultValueFactory = _ => Setting("Fhir:Smart:Algorithm") ?? "RS384" };
        algorithm.AcceptOnlyFromAmong("RS384", "ES384");
        var scope = new Option<string>("--scope") { Description = "Requested scopes (Fhir:Smart:Scope).", DefaultValueFactory = _ => Setting("Fhir:Smart:Scope") ?? "system/*.read" };
        var tokenUrl = new Option<string?>("--token-url") { Description = "Token endpoint (Fhir:Smart:TokenUrl; default: discovered from .well-known/smart-configuration)." };
        var insecure = new Option<bool>("--allow-insecure-http") { Description = "Allow http:// URLs, local development servers only (Fhir:AllowInsecureHttp)." };
        var privateNetwork = new Option<bool>("--allow-private-network") { Description = "Allow a FHIR server on loopback or a private network: on-premises EHR, local development (Fhir:AllowPrivateNetwork)." };
        var allowedHosts = new Option<string[]>("--allowed-file-host") { Description = "Extra host the manifest's file URLs may point at; repeatable (Fhir:AllowedFileHosts)." };
        var parallelism = new Option<int>("--parallelism") { Description = "Files in flight at once (Pipeline:MaxParallelFiles).", DefaultValueFactory = _ => int.TryParse(Setting("Pipeline:MaxParallelFiles"), out var n) ? n : 4 };
        var keep = new Option<bool>("--keep-on-server") { Description = "Do not DELETE the export on the server when done." };
        var fresh = new Option<bool>("--fresh") { Description = "Ignore a saved export-job.json and kick off a new export." };

        var command = new Command("export", "Run a FHIR Bulk Data $export and write the NDJSON files and manifest to a folder.");
        foreach (var option in new Option[] { baseUrl, output, level, groupId, types, since, until, typeFilters, elements, patients, post, lenient, partial,
                     clientId, keyFile, keyId, algorithm, scope, tokenUrl, insecure, privateNetwork, allowedHosts, parallelism, keep, fresh, incremental })
            command.Options.Add(option);
        shared.AddTo(command);
        command.Options.Remove(shared.Parallelism); // --parallelism above serves both modes

        command.SetAction(async (parse, cancellationToken) =>
        {
            // Every option that is a setting falls back to it (OptionSettings): the environment means what the flag means.
            var settings = PipelineCommandOptions.LoadConfiguration();
            var clientIdValue = parse.GetValue(clientId) ?? settings["Fhir:Smart:ClientId"];
            var configuredKey = settings["Fhir:Smart:PrivateKeyPem"] ?? settings["Fhir:Smart:Jwk"];
            var exportLevel = parse.GetValue(level) switch { "patient" => BulkExportLevel.Patient, "group" => BulkExportLevel.Group, _ => BulkExportLevel.System };
            if (exportLevel == BulkExportLevel.Group && string.IsNullOrWhiteSpace(parse.GetValue(groupId)))
                return Usage("--level group needs --group-id.");
            if (clientIdValue is not null && parse.GetValue(keyFile) is null && configuredKey is null)
                return Usage("--client-id needs --key-file (the client's private key, PEM or JWK) or the setting Fhir__Smart__PrivateKeyPem.");
            if (parse.GetValue(parallelism) < 1) return Usage("--parallelism must be at least 1.");
            if (!Uri.TryCreate(parse.GetValue(baseUrl), UriKind.Absolute, out var fhirBase)) return Usage("--fhir-base must be an absolute URL (or set Fhir:BaseUrl).");
            var lakeGiven = parse.GetValue(shared.Lake) is not null || PipelineCommandOptions.LoadConfiguration()["Storage:LakePath"] is not null;
            if (parse.GetValue(output) is null && !lakeGiven) return Usage("Give --lake DIR (full pipeline) or --output DIR (land NDJSON only).");
            Uri? tokenEndpoint = null;
            if ((parse.GetValue(tokenUrl) ?? settings["Fhir:Smart:TokenUrl"]) is { } tokenText && !Uri.TryCreate(tokenText, UriKind.Absolute, out tokenEndpoint)) return Usage("--token-url must be an absolute URL.");
            if (!TryInstant(parse.GetValue(since), out var sinceValue)) return Usage("--since must be an ISO 8601 instant, e.g. 2024-01-01T00:00:00Z.");
            if (!TryInstant(parse.GetValue(until), out var untilValue)) return Usage("--until must be an ISO 8601 instant, e.g. 2024-01-01T00:00:00Z.");
            var request = new BulkExportRequest
            {
                Level = exportLevel,
                GroupId = parse.GetValue(groupId),
                Types = Split(parse.GetValue(types)),
                Since = sinceValue,
                Until = untilValue,
                TypeFilters = parse.GetValue(typeFilters) ?? [],
                Elements = Split(parse.GetValue(elements)),
                Patients = parse.GetValue(patients) ?? [],
                UsePost = parse.GetValue(post),
                Lenient = parse.GetValue(lenient),
                AllowPartialManifests = parse.GetValue(partial),
            };
            var clientOptions = new BulkExportClientOptions
            {
                BaseUrl = fhirBase,
                AllowInsecureHttp = parse.GetValue(insecure) || settings.GetValue("Fhir:AllowInsecureHttp", false),
                AllowPrivateNetwork = parse.GetValue(privateNetwork) || settings.GetValue("Fhir:AllowPrivateNetwork", false),
                AllowedFileHosts = (parse.GetValue(allowedHosts) ?? []).Concat(settings.GetSection("Fhir:AllowedFileHosts").Get<string[]>() ?? []).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
                MaxConcurrentDownloads = parse.GetValue(parallelism),
            };
            SmartBackendOptions? smart = null;
            if (clientIdValue is { } id)
            {
                var key = parse.GetValue(keyFile) is { } file ? await File.ReadAllTextAsync(file.FullName, cancellationToken) : configuredKey!;
                var isJwk = key.TrimStart().StartsWith('{');
                smart = new SmartBackendOptions
                {
                    FhirBaseUrl = clientOptions.BaseUrl,
                    TokenUrl = tokenEndpoint,
                    ClientId = id,
                    KeyId = parse.GetValue(keyId) ?? settings["Fhir:Smart:KeyId"],
                    PrivateKeyPem = isJwk ? null : key,
                    Jwk = isJwk ? key : null,
                    Algorithm = parse.GetValue(algorithm)!,
                    Scope = parse.GetValue(scope)!,
                    AllowInsecureHttp = clientOptions.AllowInsecureHttp,
                    AllowPrivateNetwork = clientOptions.AllowPrivateNetwork,
                };
            }
            if (parse.GetValue(output) is { } landing)
                return await RunAsync(request, clientOptions, smart, landing.FullName, parse.GetValue(keep), parse.GetValue(fresh), cancellationToken);
            return await PipelineExport.RunAsync(parse, shared, request, clientOptions, smart, parse.GetValue(incremental), parse.GetValue(parallelism), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(BulkExportRequest request, BulkExportClientOptions options, SmartBackendOptions? smart, string folder, bool keepOnServer, bool fresh, CancellationToken cancellationToken)
    {
        using var tokens = smart is null ? null : new SmartBackendTokenProvider(smart);
        var jobFile = Path.Combine(folder, JobFileName);
        BulkExportJob? job = null;
        try
        {
            Directory.CreateDirectory(folder);
            using var client = new BulkExportClient(options, tokens);
            BulkExportFolderSummary? summary = null;
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var server = context.AddTask("Kick-off", maxValue: 100);
                    var download = context.AddTask("Download: waiting for the manifest", autoStart: false);
                    if (!fresh && File.Exists(jobFile))
                    {
                        job = JsonSerializer.Deserialize<BulkExportJob>(await File.ReadAllTextAsync(jobFile, cancellationToken));
                        server.Description = "Resuming the saved export";
                    }
                    if (job is null)
                    {
                        job = await client.KickOffAsync(request, cancellationToken);
                        SaveJob(jobFile, job);
                    }
                    var polled = new InlineProgress<BulkExportPollResult>(result =>
                    {
                        job = result.Job;
                        // Saved after every poll so an interrupted run resumes where it stopped, not at kick-off.
                        SaveJob(jobFile, result.Job);
                        var text = result.Progress ?? result.Job.LastProgress;
                        server.Description = Markup.Escape(result.IsComplete ? "Server: export complete" : $"Server: {text ?? "in progress"}");
                        if (result.IsComplete) server.Value = 100;
                        else if (Percent(text) is { } percent) server.Value = percent;
                    });
                    server.Description = "Server: export in progress";
                    var manifest = await client.WaitForCompletionAsync(job, polled, cancellationToken);
                    server.Value = 100;
                    server.StopTask();

                    download.MaxValue = Math.Max(1, manifest.Output.Count + manifest.Error.Count + manifest.Deleted.Count);
                    download.StartTask();
                    var writer = new BulkExportFolderWriter(client, options.MaxConcurrentDownloads);
                    summary = await writer.WriteAsync(manifest, folder, new InlineProgress<BulkExportDownloadProgress>(p =>
                    {
                        download.Value = p.FilesDone;
                        download.Description = string.Create(CultureInfo.InvariantCulture,
                            $"Download: {p.FilesDone}/{p.FilesTotal} files, {p.Bytes / 1048576.0:F1} MB, {p.Resources:N0} resources{(p.InvalidLines > 0 ? $", {p.InvalidLines:N0} invalid lines quarantined" : "")}");
                    }), cancellationToken);
                    download.Value = download.MaxValue;
                    download.StopTask();
                });

            if (!keepOnServer && job is not null) await client.DeleteAsync(job, cancellationToken);
            File.Delete(jobFile);
            PrintSummary(summary!, folder);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"Interrupted. The export's state is saved in {jobFile}: run the same command again to resume it.");
            return 1;
        }
        catch (Exception e) when (e is BulkExportException or SmartAuthenticationException or IOException or UnauthorizedAccessException or JsonException)
        {
            await Console.Error.WriteLineAsync($"export failed: {e.Message}");
            if (job is not null && File.Exists(jobFile))
                await Console.Error.WriteLineAsync($"The export's state is kept in {jobFile}; run the command again to resume, or with --fresh to start over.");
            return 1;
        }
    }

    private static void SaveJob(string path, BulkExportJob job) => File.WriteAllText(path, JsonSerializer.Serialize(job));

    private static void PrintSummary(BulkExportFolderSummary summary, string folder)
    {
        var table = new Table().AddColumn("Resource type").AddColumn(new TableColumn("Resources").RightAligned()).AddColumn(new TableColumn("Invalid lines").RightAligned());
        foreach (var (type, count) in summary.ResourcesPerType.OrderBy(p => p.Key, StringComparer.Ordinal))
            table.AddRow(Markup.Escape(type), count.ToString("N0", CultureInfo.InvariantCulture), summary.InvalidLinesPerType.GetValueOrDefault(type).ToString("N0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {summary.ResourcesPerType.Values.Sum():N0} resources ({summary.Bytes / 1048576.0:F1} MB) to [bold]{Markup.Escape(folder)}[/]; error files: {summary.ErrorFiles}; deleted files: {summary.DeletedFiles}."));
        if (summary.InvalidLinesPerType.Values.Sum() is > 0 and var invalid)
            AnsiConsole.MarkupLine($"[yellow]{invalid} invalid line(s) quarantined[/]: see quarantine/reasons.ndjson (file, line number, reason).");
    }

    /// <summary>The leading percentage of an X-Progress text such as "40% complete", if any.</summary>
    private static double? Percent(string? progress)
    {
        if (progress is null) return null;
        var end = progress.IndexOf('%');
        return end > 0 && double.TryParse(progress[..end].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? Math.Clamp(value, 0, 100) : null;
    }

    private static bool TryInstant(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        value = parsed;
        return true;
    }

    private static IReadOnlyList<string> Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    private static string? Setting(string key) => PipelineCommandOptions.LoadConfiguration()[key];

    private static int Usage(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    /// <summary>Reports synchronously on the reporting thread (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
