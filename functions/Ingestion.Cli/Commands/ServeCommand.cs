using System.CommandLine;
using Ingestion.Cli.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `serve`: the standalone host. Runs the Durable worker (every run of the task hub continues here after a restart
/// when <c>Durable:StorageConnection</c> points at Azure Storage or Azurite) and the minimal run API on 127.0.0.1.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var port = new Option<int?>("--port") { Description = "Port on 127.0.0.1 (Host:Port; default 7071)." };
        var command = new Command("serve", "Run the standalone host: the Durable worker and the run API (/api/runs, /api/sources/{id}/runs).");
        command.Options.Add(port);
        shared.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = shared.Configuration(parse, PipelineCommandOptions.LoadConfiguration());
            var serve = configuration.GetSection(ServeSettings.SectionName).Get<ServeSettings>() ?? new ServeSettings();
            var listenPort = parse.GetValue(port) ?? serve.Port;
            var (runtime, exit) = await RunSession.TryStartAsync(configuration, cancellationToken);
            if (runtime is null) return exit;
            await using (runtime)
            {
                var builder = WebApplication.CreateSlimBuilder();
                builder.Logging.ClearProviders();
                builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
                builder.WebHost.UseUrls($"http://127.0.0.1:{listenPort}");
                await using var app = builder.Build();
                app.MapRunApi(runtime);
                Console.WriteLine($"Serving on http://127.0.0.1:{listenPort} (Durable backend {runtime.Backend}, {serve.Mode} storage, lake {runtime.Lakes.Lake.Location}).");
                await app.RunAsync(cancellationToken);
            }
            return 0;
        });
        return command;
    }
}
