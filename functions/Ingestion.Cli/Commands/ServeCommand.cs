using System.CommandLine;
using Ingestion.Azure.Configuration;
using Ingestion.Cli.Hosting;
using Ingestion.Pipeline.Hosting;
using Ingestion.Privacy;
using Ingestion.Storage.Embedded;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `serve`: the long-running host. Under the Azure Functions host (custom handler: FUNCTIONS_CUSTOMHANDLER_PORT set)
/// it answers the timer, queue and HTTP triggers declared in FunctionApp/*/function.json; standalone it serves the
/// same HTTP API and runs its own queue workers.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var port = new Option<int?>("--port") { Description = "Port on 127.0.0.1 (Host:Port; default 7071; FUNCTIONS_CUSTOMHANDLER_PORT wins)." };
        var command = new Command("serve", "Run the pipeline host: HTTP API (/api/exports, /api/runs, /api/dashboard), workers, and the Azure Functions custom-handler endpoints.");
        command.Options.Add(port);
        shared.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = PipelineCommandOptions.LoadConfiguration();
            var serve = configuration.GetSection(ServeSettings.SectionName).Get<ServeSettings>() ?? new ServeSettings();
            serve.FhirBaseUrl ??= configuration["Fhir:BaseUrl"];
            var handlerPort = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT");
            var underFunctionsHost = int.TryParse(handlerPort, out var functionsPort);
            var listenPort = underFunctionsHost ? functionsPort : parse.GetValue(port) ?? serve.Port;
            var settings = shared.Settings(parse, configuration);

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.WebHost.UseUrls($"http://127.0.0.1:{listenPort}");
            await using var app = builder.Build();

            await using var azure = string.Equals(serve.Mode, "Azure", StringComparison.OrdinalIgnoreCase)
                ? await AzureAdapters.CreateAsync(configuration.Get<AzureSettings>() ?? new AzureSettings(), app.Services.GetRequiredService<ILoggerFactory>(), cancellationToken)
                : null;
            // The Storage-queue work queue is gone with the Durable engine (issue #13); until then Azure mode keeps its work in process.
            var storage = azure is null ? null : new PipelineStorage(azure.StateStore, new InProcessWorkQueue("work"), azure.Lake, azure.Quarantine, azure.RunEvents);
            EmbeddedPipeline pipeline;
            try
            {
                pipeline = EmbeddedPipeline.Create(settings, PipelineCommandOptions.Validator(configuration, settings.Pipeline.StrictValidation),
                    app.Services.GetRequiredService<ILoggerFactory>(), storage: storage);
            }
            catch (DeidentificationKeyException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            await using (pipeline)
            {
                FunctionsApp.Map(app, pipeline, serve);
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var workers = serve.RunWorkers ?? !underFunctionsHost
                    ? pipeline.Host.RunAsync(stop.Token)
                    : Task.CompletedTask;
                Console.WriteLine($"Serving on http://127.0.0.1:{listenPort} ({serve.Mode} storage, lake {pipeline.Lake.Location}); dashboard at /api/dashboard.");
                await app.RunAsync(cancellationToken);
                await stop.CancelAsync();
                await workers;
            }
            return 0;
        });
        return command;
    }
}
