using System.CommandLine;
using System.Text.Json;
using Ingestion.Fhir.Validation;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `validate &lt;file.json|file.ndjson|folder&gt; [--package p.tgz ...] [--us-core 6.1.0|7.0.0] [--format text|json]`:
/// validates resources against US Core and prints issues (file, line, location, rule; never values) and a summary.
/// Exit 0 when no resource has errors, 1 when some do, 2 on bad usage.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A resource (.json), an NDJSON export file (.ndjson) or a folder of them." };
        var packages = new Option<string[]>("--package")
        {
            Description = "FHIR package (.tgz), definition Bundle (.json) or folder of conformance resources; repeatable. Default: the built-in US Core 6.1.0 rules.",
            AllowMultipleArgumentsPerToken = true,
        };
        var usCore = new Option<string?>("--us-core") { Description = "US Core version the packages must provide (6.1.0 or 7.0.0)." };
        usCore.AcceptOnlyFromAmong("6.1.0", "7.0.0");
        var format = new Option<string>("--format") { Description = "text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var strict = new Option<bool>("--strict") { Description = "Count profile errors as unusable (quarantine) too (Pipeline:StrictValidation)." };

        var command = new Command("validate", "Validate FHIR resources against US Core and print issues and a summary.");
        command.Arguments.Add(path);
        command.Options.Add(packages);
        command.Options.Add(usCore);
        command.Options.Add(format);
        command.Options.Add(strict);
        command.SetAction(async (parseResult, ct) =>
        {
            var input = parseResult.GetValue(path)!;
            var packagePaths = parseResult.GetValue(packages) ?? [];
            var version = parseResult.GetValue(usCore);
            var json = parseResult.GetValue(format) == "json";
            if (!File.Exists(input) && !Directory.Exists(input))
            {
                await Console.Error.WriteLineAsync($"validate: no such file or folder: {input}");
                return 2;
            }
            if (packagePaths.Length == 0 && version == "7.0.0")
            {
                await Console.Error.WriteLineAsync("validate: the built-in rules are US Core 6.1.0; pass --package with the US Core 7.0.0 package (and the R4 definitions).");
                return 2;
            }
            foreach (var package in packagePaths)
            {
                if (!File.Exists(package) && !Directory.Exists(package))
                {
                    await Console.Error.WriteLineAsync($"validate: no such package: {package}");
                    return 2;
                }
            }

            var options = new UsCoreValidatorOptions
            {
                Mode = parseResult.GetValue(strict) || Microsoft.Extensions.Configuration.ConfigurationBinder.GetValue(PipelineCommandOptions.LoadConfiguration(), "Pipeline:StrictValidation", false) ? ValidationMode.Strict : ValidationMode.Report,
                Packages = packagePaths,
                ReportMustSupport = false,
            };
            UsCoreValidator validator;
            try
            {
                validator = await UsCoreValidator.CreateAsync(options, ct);
            }
            catch (Exception ex) when (ex is IOException or JsonException or InvalidDataException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"validate: cannot load the rules: {ex.GetType().Name}: {ex.Message}");
                return 1;
            }
            if (version is not null && packagePaths.Length > 0 && !validator.Source.Contains("hl7.fhir.us.core@" + version, StringComparison.Ordinal))
            {
                await Console.Error.WriteLineAsync($"validate: the packages do not include hl7.fhir.us.core@{version} (loaded: {validator.Source}).");
                return 2;
            }

            var run = new ValidationRun(validator);
            var output = new ValidationOutput(json, Console.Out);
            await run.RunAsync(input, r => output.Issues(r.File, r.Line, r.ResourceType, r.Result), ct);
            output.Finish(validator, run.Counters);
            return run.Counters.Types.Any(t => t.WithErrors > 0 || t.Unusable > 0) ? 1 : 0;
        });
        return command;
    }
}
