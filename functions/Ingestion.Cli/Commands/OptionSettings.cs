namespace Ingestion.Cli.Commands;

/// <summary>
/// What every command-line option stands for. An option that is also a setting names its configuration key: the
/// command reads that key when the option is not given, so an environment variable (<c>Fhir__AllowInsecureHttp</c>)
/// means the same as the flag in every command that has it. An option that describes one invocation (what to export,
/// where to write this output, a report format) is listed with the reason it is not a setting.
/// Entries are by option name; "command option" entries are for the few names two programs use for different objects.
/// </summary>
internal static class OptionSettings
{
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--lake"] = "Storage:LakePath",
        ["--quarantine"] = "Storage:QuarantinePath",
        ["--state"] = "Storage:StatePath",
        ["--vocab"] = "Vocabulary:Path",
        ["--parallelism"] = "Pipeline:MaxParallelFiles",
        ["--strict"] = "Pipeline:StrictValidation",
        ["--fhir-base"] = "Fhir:BaseUrl",
        ["--allow-insecure-http"] = "Fhir:AllowInsecureHttp",
        ["--allow-private-network"] = "Fhir:AllowPrivateNetwork",
        ["--allowed-file-host"] = "Fhir:AllowedFileHosts",
        ["--client-id"] = "Fhir:Smart:ClientId",
        ["--key-id"] = "Fhir:Smart:KeyId",
        ["--algorithm"] = "Fhir:Smart:Algorithm",
        ["--scope"] = "Fhir:Smart:Scope",
        ["--token-url"] = "Fhir:Smart:TokenUrl",
        ["--urls"] = "Serve:Urls",
        ["--insecure-local"] = "Serve:InsecureLocal",
        ["--allowed-host"] = "Serve:AllowedHosts",
        ["--patients"] = "Demo:Patients",
        ["--seed"] = "Demo:Seed",
        ["--defect-rate"] = "Demo:DefectRate",
        ["demo-server --patients"] = "DemoServer:Patients",
        ["demo-server --seed"] = "DemoServer:Seed",
        ["demo-server --defect-rate"] = "DemoServer:DefectRate",
        ["demo-server --port"] = "DemoServer:Port",
        ["demo-server --auth"] = "DemoServer:RequireAuth",
        ["demo-server --folder"] = "DemoServer:FolderPath",
        ["demo-server --resources-per-file"] = "DemoServer:ResourcesPerFile",
        ["demo-server --export-delay"] = "DemoServer:ExportDelay",
    };

    public static IReadOnlyDictionary<string, string> PerInvocation { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--level"] = "the export request; a named source's level is Sources__<id>__Level",
        ["--group-id"] = "the export request; a named source's group is Sources__<id>__GroupId",
        ["--type"] = "the export request (_type); a named source's types are Sources__<id>__Types__N",
        ["--type-filter"] = "the export request (_typeFilter); Sources__<id>__TypeFilters__N",
        ["--since"] = "the export request (_since); scheduled runs use the source's watermark",
        ["--until"] = "the export request (_until)",
        ["--elements"] = "the export request (_elements)",
        ["--patient"] = "the export request (patient ids)",
        ["--post"] = "the export request (kick-off with POST)",
        ["--lenient"] = "the export request (Prefer: handling=lenient)",
        ["--allow-partial-manifests"] = "the export request (allowPartialManifests)",
        ["--incremental"] = "the export request; a named source's is Sources__<id>__Incremental",
        ["--output"] = "where this export lands its files (instead of the lake)",
        ["--keep-on-server"] = "what this export does when done",
        ["--fresh"] = "whether this export resumes its saved state",
        ["--key-file"] = "a file holding the key; the key itself is the setting Fhir__Smart__PrivateKeyPem (or Fhir__Smart__Jwk), used when the option is absent",
        ["--source-id"] = "names this ingest's source",
        ["--container"] = "the landed blob container this ingest reads (like its FOLDER argument); its credential is the setting Landed__StorageConnection",
        ["--source"] = "a filter of this listing",
        ["--status"] = "a filter of this listing",
        ["--fault"] = "demo fault switches of this run (DemoServer__Faults__* for demo-server)",
        ["--package"] = "the rules this validation uses",
        ["--us-core"] = "the rules this validation checks for",
        ["--format"] = "this command's output format",
        ["--out"] = "the file this command writes",
        ["vocab build --lake"] = "publishes the vocabulary into this lake only when given",
        ["demo-server --key-file"] = "where this server writes its demo client key",
        ["demo-server --client-id"] = "the client this server registers with --jwks",
        ["demo-server --jwks"] = "the public keys this server registers",
    };

    /// <summary>The setting an option of a command stands for, or null when it is a per-invocation argument.</summary>
    public static string? SettingOf(string command, string option) =>
        Settings.TryGetValue(command + " " + option, out var scoped) ? scoped
        : PerInvocation.ContainsKey(command + " " + option) ? null
        : Settings.GetValueOrDefault(option);

    /// <summary>Why an option is not a setting, or null when it is one (or unknown).</summary>
    public static string? ReasonNotASetting(string command, string option) =>
        PerInvocation.TryGetValue(command + " " + option, out var scoped) ? scoped
        : Settings.ContainsKey(command + " " + option) ? null
        : PerInvocation.GetValueOrDefault(option);
}
