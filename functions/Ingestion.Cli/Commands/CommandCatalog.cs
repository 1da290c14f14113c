using System.CommandLine;

namespace Ingestion.Cli.Commands;

/// <summary>The CLI's commands. Add one line per command; each command is built in its own file.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return VersionCommand.Create();
        yield return ValidateCommand.Create();
        yield return ExportCommand.Create();
        yield return DemoServerCommand.Create();
        yield return DemoCommand.Create();
        yield return IngestCommand.Create();
        yield return RunsCommand.Create();
        yield return StatusCommand.Create();
        yield return CancelCommand.Create();
        yield return TerminateCommand.Create();
        yield return PurgeCommand.Create();
        yield return RetryCommand.Create();
        yield return VocabCommand.Create();
        yield return DeidKeyCommand.Create();
        yield return ServeCommand.Create();
    }
}
