using System.CommandLine;
using Ingestion.Orchestration;

namespace Ingestion.Cli.Commands;

/// <summary>`ingest FOLDER --lake DIR [--vocab FILE]`: runs an already-landed bulk export (NDJSON files, with or without manifest.json) through the pipeline.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var folder = new Argument<DirectoryInfo>("FOLDER") { Description = "Folder of NDJSON files ({Type}.ndjson, or a Bulk Data manifest.json)." };
        var sourceId = new Option<string?>("--source-id") { Description = "Source name for watermarks and cdm_source (letters, digits, -; default: from the folder path)." };
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
            var configuration = shared.Configuration(parse, PipelineCommandOptions.LoadConfiguration());
            var (runtime, exit) = await RunSession.TryStartAsync(configuration, cancellationToken);
            if (runtime is null) return exit;
            await using (runtime)
            {
                return await RunConsole.StartAndFollowAsync(runtime, new ExportRunInput
                {
                    SourceId = parse.GetValue(sourceId) ?? SourceIds.From(path.FullName),
                    SourceKind = ExportSourceKind.LandedFolder,
                    LandedLocation = path.FullName,
                    KeyFingerprint = "",
                    Trigger = new RunTrigger(RunTriggerKind.Cli, Environment.UserName),
                }, cancellationToken);
            }
        });
        return command;
    }
}
