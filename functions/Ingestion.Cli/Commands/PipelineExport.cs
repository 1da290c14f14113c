using System.CommandLine;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline.State;

namespace Ingestion.Cli.Commands;

/// <summary>The pipeline mode of `export` (with --lake): a durable run against the given FHIR server.</summary>
internal static class PipelineExport
{
    public static async Task<int> RunAsync(ParseResult parse, PipelineCommandOptions shared, BulkExportRequest request, BulkExportClientOptions client,
        SmartBackendOptions? smart, bool incremental, int parallelism, CancellationToken cancellationToken)
    {
        var configuration = PipelineCommandOptions.LoadConfiguration();
        var settings = shared.Settings(parse, configuration);
        settings.Pipeline.MaxParallelActivities = parallelism;
        settings = settings with { BulkExport = client, Smart = smart ?? settings.Smart };
        await using var pipeline = PipelineSession.TryOpen(settings, PipelineCommandOptions.Validator(configuration, settings.Pipeline.StrictValidation), out var exit);
        if (pipeline is null) return exit;
        var baseUrl = client.BaseUrl!.ToString();
        var id = await pipeline.Client.StartNewAsync(new RunInput
        {
            SourceId = baseUrl,
            Kind = SourceKind.FhirServer,
            FhirBaseUrl = baseUrl,
            Types = request.Types,
            GroupId = request.GroupId,
            Since = request.Since,
            Incremental = incremental,
        }, cancellationToken: cancellationToken);
        return await RunConsole.RunAsync(pipeline, id, cancellationToken);
    }
}
