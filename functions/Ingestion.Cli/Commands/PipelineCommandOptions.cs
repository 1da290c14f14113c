using System.CommandLine;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Validation;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Hosting;
using Ingestion.Privacy;
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
    public Option<string?> State { get; } = new("--state") { Description = "SQLite file for run state and queue (Storage:StatePath; default <lake>-state/ingestion.db)." };
    public Option<string?> Vocab { get; } = new("--vocab") { Description = "Compiled vocabulary file from `vocab build` (Vocabulary:Path; default: starter vocabulary)." };
    public Option<int?> Parallelism { get; } = new("--parallelism") { Description = "File activities at once (Pipeline:MaxParallelActivities)." };
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

    /// <summary>Settings from configuration with the command line applied. <paramref name="ephemeralKey"/>: the demo's throwaway key.</summary>
    public EmbeddedPipelineSettings Settings(ParseResult parse, IConfiguration configuration, bool ephemeralKey = false)
    {
        var pipeline = configuration.GetSection(PipelineOptions.SectionName).Get<PipelineOptions>() ?? new PipelineOptions();
        if (parse.GetValue(Parallelism) is { } parallelism) pipeline.MaxParallelActivities = parallelism;
        if (parse.GetValue(Strict)) pipeline.StrictValidation = true;
        var storage = configuration.GetSection(LocalStorageOptions.SectionName).Get<LocalStorageOptions>() ?? new LocalStorageOptions();
        if (parse.GetValue(Lake) is { } lake) storage.LakePath = lake;
        if (parse.GetValue(Quarantine) is { } quarantine) storage.QuarantinePath = quarantine;
        if (parse.GetValue(State) is { } state) storage.StatePath = state;
        var vocabulary = configuration.GetSection(VocabularyOptions.SectionName).Get<VocabularyOptions>() ?? new VocabularyOptions();
        if (parse.GetValue(Vocab) is { } vocab) vocabulary.Path = vocab;
        // Every Deid setting binds (MaxShiftDays, DropTimeOfDay, StrictSafeHarbor, AggregateAgesOver89, ...); the demo
        // replaces the key with a throwaway one.
        var configured = configuration.GetSection("Deid").Get<DeidentificationOptions>() ?? new DeidentificationOptions();
        var deid = configured with
        {
            Key = ephemeralKey ? null : configured.Key,
            UseEphemeralKey = ephemeralKey, // only the demo: everywhere else a missing key stops the app
        };
        var bulk = configuration.GetSection(BulkExportClientOptions.SectionName).Get<BulkExportClientOptions>() ?? new BulkExportClientOptions();
        var smart = configuration.GetSection(SmartBackendOptions.SectionName).Get<SmartBackendOptions>();
        return new EmbeddedPipelineSettings
        {
            Pipeline = pipeline,
            Storage = storage,
            Vocabulary = vocabulary,
            Deidentification = deid,
            BulkExport = bulk,
            Smart = smart?.ClientId is null ? null : smart,
            CdmHolder = configuration["Pipeline:CdmHolder"] ?? "unknown",
        };
    }

    public static UsCoreValidator Validator(IConfiguration configuration, bool strict) => UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions
    {
        Mode = strict || string.Equals(configuration["Validation:Mode"], "Strict", StringComparison.OrdinalIgnoreCase) ? ValidationMode.Strict : ValidationMode.Report,
    });
}
