using System.CommandLine;
using Ingestion.Azure.Configuration;
using Ingestion.Cli.Hosting;
using Ingestion.Privacy;
using Ingestion.Serve;
using Ingestion.Storage.Catalog;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `serve`: the standalone host. Runs the export orchestrations on the Durable Task Framework (Durable__StorageConnection:
/// Azure Storage or Azurite; none = in memory, not crash-durable) and serves the run API the Functions app serves
/// (/api/exports…), protected by Serve__ApiKey (X-Api-Key header), allowed hosts and origins.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, ';'-separated (Serve:Urls; default http://127.0.0.1:7071)." };
        var insecureLocal = new Option<bool>("--insecure-local") { Description = "Serve without a credential, on loopback addresses only (Serve:InsecureLocal)." };
        var allowedHosts = new Option<string[]>("--allowed-host") { Description = "A Host header value to accept; repeat for several (Serve:AllowedHosts; default the loopback names)." };
        var command = new Command("serve", "Run the orchestrations and the run API (POST /api/exports, status, cancel, terminate, purge, retry).");
        command.Options.Add(urls);
        command.Options.Add(insecureLocal);
        command.Options.Add(allowedHosts);
        shared.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = shared.Configuration(parse, PipelineCommandOptions.LoadConfiguration());
            var options = configuration.GetSection(ServeOptions.SectionName).Get<ServeOptions>() ?? new ServeOptions();
            if (parse.GetValue(urls) is { } listen) options.Urls = listen;
            if (parse.GetValue(insecureLocal)) options.InsecureLocal = true;
            if (parse.GetValue(allowedHosts) is { Length: > 0 } hosts) options.AllowedHosts = [.. hosts];
            using var azure = string.Equals(configuration["Host:Mode"], "Azure", StringComparison.OrdinalIgnoreCase)
                ? await AzureAdapters.CreateAsync(configuration.GetSection(AzureSettings.SectionName).Get<AzureSettings>() ?? new AzureSettings(), cancellationToken: cancellationToken)
                : null;
            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = ServeApp.Build(configuration, options, builder =>
                {
                    if (azure is not null) PipelineRuntime.AddAzureAdapters(builder.Services, azure);
                });
            }
            catch (Exception e) when (e is ServeConfigurationException or DeidentificationKeyException or RunCatalogException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            await using (app)
            {
                Console.WriteLine($"Serving the run API on {options.Urls}{(options.InsecureLocal ? " WITHOUT a credential (--insecure-local)" : "")}.");
                await app.RunAsync(cancellationToken);
            }
            return 0;
        });
        return command;
    }
}
