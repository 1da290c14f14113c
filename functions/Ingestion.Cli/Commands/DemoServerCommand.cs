using System.CommandLine;
using System.Security.Cryptography;
using Ingestion.DemoServer;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `demo-server`: runs the embedded demo FHIR Bulk Data server until Ctrl+C. Defaults come from the
/// configuration section "DemoServer" (environment variables DemoServer__*); flags override them.
/// With --auth it creates a demo client key pair, registers the public key and writes the private key PEM.
/// </summary>
internal static class DemoServerCommand
{
    public const string DemoClientId = "demo-client";
    private const string DemoKeyId = "demo-client-key-1";

    public static Command Create()
    {
        var port = new Option<int?>("--port") { Description = "TCP port on 127.0.0.1 (0 = any free port)." };
        var patients = new Option<int?>("--patients") { Description = "Number of synthetic patients." };
        var seed = new Option<int?>("--seed") { Description = "Generator seed (same seed, same bytes)." };
        var auth = new Option<bool>("--auth") { Description = "Require SMART Backend Services bearer tokens." };
        var folder = new Option<string?>("--folder") { Description = "Serve the {Type}.ndjson files of this folder instead of generated data." };
        var perFile = new Option<int?>("--resources-per-file") { Description = "Split output files at this many resources." };
        var defectRate = new Option<double?>("--defect-rate") { Description = "Fraction (0..1) of defective clinical records." };
        var exportDelay = new Option<double?>("--export-delay") { Description = "Seconds an export stays in progress (202 + X-Progress)." };
        var keyFile = new Option<string?>("--key-file") { Description = "With --auth: where to write the demo client's private key (PEM)." };
        var clientId = new Option<string?>("--client-id") { Description = "With --auth and --jwks: the client id to register (default demo-client)." };
        var jwks = new Option<string?>("--jwks") { Description = "With --auth: register this JWKS file (public keys) instead of generating a demo key." };
        var faults = new Option<string[]>("--fault")
        {
            Description = "Fault switch, repeatable: " + string.Join(", ", DemoFaults.Names) + ".",
            AllowMultipleArgumentsPerToken = true,
        };

        var command = new Command("demo-server", "Run the embedded demo FHIR Bulk Data server (synthetic US Core patients) until Ctrl+C.");
        foreach (var option in new Option[] { port, patients, seed, auth, folder, perFile, defectRate, exportDelay, keyFile, clientId, jwks, faults })
            command.Options.Add(option);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var configured = DemoServerOptions.FromConfiguration(new ConfigurationBuilder().AddEnvironmentVariables().Build());
            var options = configured with
            {
                Port = parseResult.GetValue(port) ?? configured.Port,
                Patients = parseResult.GetValue(patients) ?? configured.Patients,
                Seed = parseResult.GetValue(seed) ?? configured.Seed,
                FolderPath = parseResult.GetValue(folder) ?? configured.FolderPath,
                ResourcesPerFile = parseResult.GetValue(perFile) ?? configured.ResourcesPerFile,
                DefectRate = parseResult.GetValue(defectRate) ?? configured.DefectRate,
                ExportDelay = parseResult.GetValue(exportDelay) is { } delay ? TimeSpan.FromSeconds(delay) : configured.ExportDelay,
                RequireAuth = parseResult.GetValue(auth) || configured.RequireAuth,
            };
            try
            {
                options = options with { Faults = (parseResult.GetValue(faults) ?? []).Aggregate(options.Faults, (f, name) => f.With(name)) };
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            if (options.Patients < 0 || options.ResourcesPerFile < 1 || options.DefectRate is < 0 or > 1)
            {
                Console.Error.WriteLine("--patients must be >= 0, --resources-per-file >= 1 and --defect-rate within 0..1.");
                return 2;
            }

            using var key = RSA.Create(2048);
            string? keyPath = null;
            if (options.RequireAuth && parseResult.GetValue(jwks) is { } jwksPath)
            {
                if (!File.Exists(jwksPath))
                {
                    Console.Error.WriteLine($"JWKS file not found: {jwksPath}");
                    return 2;
                }
                options = options with { Clients = [new DemoClientRegistration(parseResult.GetValue(clientId) ?? DemoClientId, await File.ReadAllTextAsync(jwksPath, cancellationToken))] };
            }
            else if (options.RequireAuth && options.Clients.Count == 0)
            {
                keyPath = Path.GetFullPath(parseResult.GetValue(keyFile) ?? Path.Combine(Path.GetTempPath(), "demo-fhir-client-key.pem"));
                await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem(), cancellationToken);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                options = options with { Clients = [DemoClientRegistration.FromRsa(DemoClientId, key, DemoKeyId)] };
            }

            DemoFhirServer server;
            try
            {
                server = await DemoFhirServer.StartAsync(options, cancellationToken);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"demo-server could not start: {e.Message}");
                return 1;
            }
            await using (server)
            {
                Console.WriteLine($"FHIR base URL: {server.BaseUrl}");
                Console.WriteLine(options.FolderPath is null
                    ? $"data: {options.Patients} synthetic patients, seed {options.Seed}, defect rate {options.DefectRate}"
                    : $"data: NDJSON files of {options.FolderPath}");
                Console.WriteLine($"group: {server.BaseUrl}/Group/{DemoFhirServer.GroupId}/$export");
                if (options.RequireAuth)
                {
                    Console.WriteLine($"auth: SMART Backend Services, token endpoint {server.TokenUrl}");
                    if (keyPath is not null)
                        Console.WriteLine($"      client id '{DemoClientId}', RS384 private key (PEM) written to {keyPath} (kid '{DemoKeyId}'), scope system/*.read");
                    else
                        Console.WriteLine($"      registered client ids: {string.Join(", ", options.Clients.Select(c => c.ClientId))}; scope system/*.read");
                }
                var active = parseResult.GetValue(faults) ?? [];
                if (active.Length > 0) Console.WriteLine("faults: " + string.Join(", ", active));
                Console.WriteLine("Press Ctrl+C to stop.");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C: stop cleanly.
                }
            }
            if (keyPath is not null) File.Delete(keyPath);
            return 0;
        });
        return command;
    }
}
