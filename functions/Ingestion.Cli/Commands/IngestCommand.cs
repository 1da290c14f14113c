using System.CommandLine;
using Ingestion.Orchestration;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `ingest FOLDER --lake DIR` or `ingest --container URL|NAME[/PREFIX] --lake DIR`: runs an already-landed bulk export
/// (NDJSON files, with or without manifest.json, in a folder or a blob container) through the pipeline.
/// </summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var folder = new Argument<DirectoryInfo?>("FOLDER") { Description = "Folder of NDJSON files ({Type}.ndjson, or a Bulk Data manifest.json).", Arity = ArgumentArity.ZeroOrOne };
        var container = new Option<string?>("--container") { Description = "Instead of FOLDER: a blob container URL, or NAME[/PREFIX] on Landed__StorageConnection's account (no SAS: the location is stored with the run)." };
        var sourceId = new Option<string?>("--source-id") { Description = "Source name for watermarks and cdm_source (letters, digits, -; default: from the folder path)." };
        var command = new Command("ingest", "Run an already-landed bulk export (a folder of NDJSON files) through validation, OMOP mapping, de-identification and into the lake.");
        command.Arguments.Add(folder);
        command.Options.Add(sourceId);
        command.Options.Add(container);
        shared.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(folder);
            var containerLocation = parse.GetValue(container);
            if ((path is null) == (containerLocation is null))
            {
                Console.Error.WriteLine("Give either a FOLDER or --container, not both.");
                return 2;
            }
            if (path is { Exists: false })
            {
                Console.Error.WriteLine($"Folder '{path.FullName}' does not exist.");
                return 2;
            }
            var configuration = shared.Configuration(parse, PipelineCommandOptions.LoadConfiguration());
            if (containerLocation is not null
                && LandedContainerLocation.Problem(containerLocation, configuration.GetSection(LandedContainerOptions.SectionName).Get<LandedContainerOptions>() ?? new LandedContainerOptions()) is { } problem)
            {
                Console.Error.WriteLine(problem);
                return 2;
            }
            var (runtime, exit) = await RunSession.TryStartAsync(configuration, cancellationToken, runsFiles: true);
            if (runtime is null) return exit;
            await using (runtime)
            {
                return await RunConsole.StartAndFollowAsync(runtime, new ExportRunInput
                {
                    SourceId = parse.GetValue(sourceId) ?? SourceIds.From(path?.FullName ?? containerLocation!),
                    SourceKind = path is null ? ExportSourceKind.LandedBlobContainer : ExportSourceKind.LandedFolder,
                    LandedLocation = path?.FullName ?? containerLocation,
                    KeyFingerprint = "",
                    Trigger = new RunTrigger(RunTriggerKind.Cli, Environment.UserName),
                }, cancellationToken);
            }
        });
        return command;
    }
}
