using Ingestion.Cli.Hosting;
using Ingestion.Privacy;
using Ingestion.Storage.Catalog;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Ingestion.Cli.Commands;

/// <summary>
/// Starts the standalone runtime for a command. Configuration problems (missing Deid:Key, a catalog that cannot be
/// opened, bad settings) become one line on stderr and exit code 1, never a stack trace. <c>runsFiles</c>: the command
/// starts a run here (ingest, export, demo), so the file activity is built in the background from the start.
/// </summary>
internal static class RunSession
{
    public static async Task<(PipelineRuntime? Runtime, int ExitCode)> TryStartAsync(IConfiguration configuration, CancellationToken cancellationToken, bool quiet = false, bool runsFiles = false)
    {
        try
        {
            var runtime = await PipelineRuntime.StartAsync(configuration, prepareFileActivity: runsFiles, cancellationToken: cancellationToken);
            if (!runtime.IsCrashDurable && !quiet)
                AnsiConsole.MarkupLine("[yellow]Durable backend: in memory (one process, not crash-durable; set Durable__StorageConnection for Azure Storage/Azurite). The data path is idempotent: a rerun is safe.[/]");
            return (runtime, 0);
        }
        catch (Exception e) when (Describe(e) is { } reason)
        {
            await Console.Error.WriteLineAsync(reason);
            return (null, 1);
        }
    }

    /// <summary>The one-line reason for a failure an operator can fix; null for a bug (let it surface).</summary>
    public static string? Describe(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case DeidentificationKeyException:
                    return x.Message;
                case RunCatalogException:
                    return x.Message;
                case Microsoft.Data.Sqlite.SqliteException sqlite:
                    return $"The run catalog cannot be opened or written ({sqlite.SqliteErrorCode}): {sqlite.Message}";
                case IOException or UnauthorizedAccessException:
                    return $"Cannot open the pipeline's storage: {x.Message}";
                case InvalidDataException or ArgumentException or KeyNotFoundException or InvalidOperationException when x == e:
                    return x.Message;
            }
        }
        return null;
    }
}
