using System.CommandLine;
using Ingestion.Pipeline.State;

namespace Ingestion.Cli.Commands;

/// <summary>`ingest FOLDER --lake DIR [--vocab FILE]`: runs an already-landed bulk export (NDJSON files, with or without manifest.json) through the pipeline.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var folder = new Argument<DirectoryInfo>("FOLDER") { Description = "Folder of NDJSON files ({Type}.ndjson, or a Bulk Data manifest.json)." };
        var sourceId = new Option<string?>("--source-id") { Description = "Source name for watermarks and cdm_source (default: the folder path)." };
        var command = new Command("ingest", "Run an already-landed bulk export (a folder of NDJSON files) through validation, OMOP mapping, de-identification and into the lake.");
        command.Arguments.Add(folder);
        command.Options.Add(sourceId);
        shared.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(folder)!;
            if (!path.Exists)
            {
                Console.Error.WriteLine($"Folder '{path.FullName}' does not exist.");
                return 2;
            }
            var configuration = PipelineCommandOptions.LoadConfiguration();
            var settings = shared.Settings(parse, configuration);
            await using var pipeline = PipelineSession.TryOpen(settings, PipelineCommandOptions.Validator(configuration, settings.Pipeline.StrictValidation), out var exit);
            if (pipeline is null) return exit;
            var id = await pipeline.Client.StartNewAsync(new RunInput
            {
                SourceId = parse.GetValue(sourceId) ?? path.FullName,
                Kind = SourceKind.Folder,
                FolderPath = path.FullName,
            }, cancellationToken: cancellationToken);
            return await RunConsole.RunAsync(pipeline, id, cancellationToken);
        });
        return command;
    }
}
