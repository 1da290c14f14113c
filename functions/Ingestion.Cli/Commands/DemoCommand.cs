using System.CommandLine;
using Ingestion.DemoServer;
using Ingestion.Orchestration;
using Ingestion.Privacy;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `demo [--patients N] [--lake DIR]`: starts the embedded demo FHIR server with N synthetic patients, runs a full
/// export through the whole pipeline into the lake and prints the run summary. De-identifies with an ephemeral
/// key (and says so).
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var shared = new PipelineCommandOptions();
        var patients = new Option<int?>("--patients") { Description = "Synthetic patients (Demo:Patients; default 25)." };
        var seed = new Option<int?>("--seed") { Description = "Generator seed (Demo:Seed; default 1)." };
        var defectRate = new Option<double?>("--defect-rate") { Description = "Fraction of defective clinical records (Demo:DefectRate; default 0.02)." };
        var faults = new Option<string[]>("--fault") { Description = "Demo server fault switch; repeatable: " + string.Join(", ", DemoFaults.Names) + "." };
        var command = new Command("demo", "Run the whole pipeline against the embedded demo FHIR server: synthetic patients → OMOP Parquet lake.");
        command.Options.Add(patients);
        command.Options.Add(seed);
        command.Options.Add(defectRate);
        command.Options.Add(faults);
        shared.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = PipelineCommandOptions.LoadConfiguration();
            var serverOptions = new DemoServerOptions
            {
                Patients = parse.GetValue(patients) ?? configuration.GetValue("Demo:Patients", 25),
                Seed = parse.GetValue(seed) ?? configuration.GetValue("Demo:Seed", 1),
                DefectRate = parse.GetValue(defectRate) ?? configuration.GetValue("Demo:DefectRate", 0.02),
                ResourcesPerFile = configuration.GetValue("Demo:ResourcesPerFile", 1000),
            };
            if (serverOptions.Patients < 1 || serverOptions.DefectRate is < 0 or > 1)
            {
                Console.Error.WriteLine("--patients must be at least 1 and --defect-rate within 0..1.");
                return 2;
            }
            try
            {
                serverOptions = serverOptions with { Faults = (parse.GetValue(faults) ?? []).Aggregate(serverOptions.Faults, (f, name) => f.With(name)) };
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(DeidentificationKey.EphemeralNotice)}[/]");
            await using var server = await DemoFhirServer.StartAsync(serverOptions, cancellationToken);
            AnsiConsole.MarkupLine($"Demo FHIR server with {serverOptions.Patients} synthetic patients at {Markup.Escape(server.BaseUrl.ToString())}");
            // The demo server listens on http://127.0.0.1 only.
            var runConfiguration = shared.Configuration(parse, configuration, ephemeralKey: true, new Dictionary<string, string?> { ["Fhir:AllowInsecureHttp"] = "true", ["Fhir:AllowPrivateNetwork"] = "true", ["Fhir:MaxStatusRequestsPerMinute"] = "600" });
            var (runtime, exit) = await RunSession.TryStartAsync(runConfiguration, cancellationToken, runsFiles: true);
            if (runtime is null) return exit;
            await using (runtime)
            {
                return await RunConsole.StartAndFollowAsync(runtime, new ExportRunInput
                {
                    SourceId = "demo",
                    SourceKind = ExportSourceKind.FhirServer,
                    FhirBaseUrl = server.BaseUrl.ToString(),
                    KeyFingerprint = "",
                    Trigger = new RunTrigger(RunTriggerKind.Cli, "demo"),
                }, cancellationToken);
            }
        });
        return command;
    }
}
