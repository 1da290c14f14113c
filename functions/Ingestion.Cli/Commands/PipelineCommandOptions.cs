using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Cli.Commands;

/// <summary>
/// The options every pipeline command shares (lake, quarantine, state, vocabulary, parallelism) and how they
/// combine with configuration: appsettings.json in the working directory, then environment variables
/// (e.g. <c>Storage__LakePath</c>), then the command line, which wins.
/// </summary>
internal sealed class PipelineCommandOptions
{
    public Option<string?> Lake { get; } = new("--lake") { Description = "Lake folder (Storage:LakePath; default ./lake)." };
    public Option<string?> Quarantine { get; } = new("--quarantine") { Description = "Quarantine folder, holds PHI (Storage:QuarantinePath; default <lake>-quarantine)." };
    public Option<string?> State { get; } = new("--state") { Description = "SQLite file of the run catalog (Storage:StatePath; default <lake>-state/ingestion.db)." };
    public Option<string?> Vocab { get; } = new("--vocab") { Description = "Compiled vocabulary file from `vocab build` (Vocabulary:Path; default: starter vocabulary)." };
    public Option<int?> Parallelism { get; } = new("--parallelism") { Description = "Files in flight at once (Pipeline:MaxParallelFiles)." };
    public Option<bool> Strict { get; } = new("--strict") { Description = "Quarantine resources with profile errors too (Pipeline:StrictValidation)." };

    public void AddTo(Command command, bool storageOnly = false)
    {
        command.Options.Add(Lake);
        command.Options.Add(Quarantine);
        command.Options.Add(State);
        if (storageOnly) return;
        command.Options.Add(Vocab);
        command.Options.Add(Parallelism);
        command.Options.Add(Strict);
    }

    public static IConfiguration LoadConfiguration() => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .Build();

    /// <summary>
    /// Configuration with the command line applied on top (the command line wins). <paramref name="ephemeralKey"/>:
    /// the demo's throwaway key. <paramref name="extra"/>: further settings the command sets.
    /// </summary>
    public IConfiguration Configuration(ParseResult parse, IConfiguration configuration, bool ephemeralKey = false, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (parse.GetValue(Lake) is { } lake) overrides["Storage:LakePath"] = lake;
        if (parse.GetValue(Quarantine) is { } quarantine) overrides["Storage:QuarantinePath"] = quarantine;
        if (parse.GetValue(State) is { } state) overrides["Storage:StatePath"] = state;
        if (parse.GetValue(Vocab) is { } vocab) overrides["Vocabulary:Path"] = vocab;
        if (parse.GetValue(Parallelism) is { } parallelism) overrides["Pipeline:MaxParallelFiles"] = parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(Strict)) overrides["Pipeline:StrictValidation"] = "true";
        if (ephemeralKey)
        {
            // Only the demo: everywhere else a missing key stops the app.
            overrides["Deid:Key"] = null;
            overrides["Deid:UseEphemeralKey"] = "true";
        }
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) overrides[key] = value;
        return new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(overrides).Build();
    }
}
