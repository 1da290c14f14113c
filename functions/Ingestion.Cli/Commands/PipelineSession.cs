using Ingestion.Fhir.Validation;
using Ingestion.Pipeline.Hosting;
using Ingestion.Privacy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Cli.Commands;

/// <summary>Opens the embedded pipeline for a command, turning configuration errors into exit code 1 with the reason on stderr.</summary>
internal static class PipelineSession
{
    public static EmbeddedPipeline? TryOpen(EmbeddedPipelineSettings settings, IResourceValidator? validator, out int exitCode)
    {
        try
        {
            exitCode = 0;
            // Logs go nowhere on the console: the live display is the operator's view; events are in the run history.
            return EmbeddedPipeline.Create(settings, validator, NullLoggerFactory.Instance);
        }
        catch (DeidentificationKeyException e)
        {
            // The message says which setting to set and how (never the key).
            Console.Error.WriteLine(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            Console.Error.WriteLine($"Cannot open the pipeline: {e.Message}");
        }
        exitCode = 1;
        return null;
    }
}
