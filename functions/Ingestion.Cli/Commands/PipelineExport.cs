using System.CommandLine;
using System.Globalization;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;
using Ingestion.Orchestration;

namespace Ingestion.Cli.Commands;

/// <summary>The pipeline mode of `export` (with --lake): a Durable run of the whole request against the given FHIR server.</summary>
internal static class PipelineExport
{
    public static async Task<int> RunAsync(ParseResult parse, PipelineCommandOptions shared, BulkExportRequest request, BulkExportClientOptions client,
        SmartBackendOptions? smart, bool incremental, int parallelism, CancellationToken cancellationToken)
    {
        var extra = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Fhir:AllowInsecureHttp"] = client.AllowInsecureHttp ? "true" : null,
            ["Fhir:AllowPrivateNetwork"] = client.AllowPrivateNetwork ? "true" : null,
            ["Pipeline:MaxParallelFiles"] = parallelism.ToString(CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < client.AllowedFileHosts.Count; i++) extra[$"Fhir:AllowedFileHosts:{i}"] = client.AllowedFileHosts[i];
        if (smart is not null)
        {
            extra["Fhir:Smart:ClientId"] = smart.ClientId;
            extra["Fhir:Smart:TokenUrl"] = smart.TokenUrl?.ToString();
            extra["Fhir:Smart:FhirBaseUrl"] = smart.FhirBaseUrl?.ToString();
            extra["Fhir:Smart:KeyId"] = smart.KeyId;
            extra["Fhir:Smart:PrivateKeyPem"] = smart.PrivateKeyPem;
            extra["Fhir:Smart:Jwk"] = smart.Jwk;
            extra["Fhir:Smart:Algorithm"] = smart.Algorithm;
            extra["Fhir:Smart:Scope"] = smart.Scope;
            extra["Fhir:Smart:AllowInsecureHttp"] = smart.AllowInsecureHttp ? "true" : null;
            extra["Fhir:Smart:AllowPrivateNetwork"] = smart.AllowPrivateNetwork ? "true" : null;
        }
        var configuration = shared.Configuration(parse, PipelineCommandOptions.LoadConfiguration(), extra: extra);
        var (runtime, exit) = await RunSession.TryStartAsync(configuration, cancellationToken, runsFiles: true);
        if (runtime is null) return exit;
        await using (runtime)
        {
            var baseUrl = client.BaseUrl!.ToString();
            var input = new ExportRunInput
            {
                SourceId = configuration["Source:Id"] ?? SourceIds.From(baseUrl),
                SourceKind = ExportSourceKind.FhirServer,
                FhirBaseUrl = baseUrl,
                Request = request,
                Incremental = incremental,
                KeyFingerprint = "",
                Trigger = new RunTrigger(RunTriggerKind.Cli, Environment.UserName),
            };
            return await RunConsole.StartAndFollowAsync(runtime, input, cancellationToken);
        }
    }
}
