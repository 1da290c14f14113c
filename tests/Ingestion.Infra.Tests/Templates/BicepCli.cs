using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Ingestion.Infra.Tests.Templates;

/// <summary>The Bicep CLI restored by this project's PackageDownload (path baked in at build time).</summary>
public static class BicepCli
{
    public static string ExecutablePath
    {
        get
        {
            var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "BicepPath").Value!;
            if (!File.Exists(path))
                throw new InvalidOperationException($"Bicep CLI not found at {path}: restore tests/Ingestion.Infra.Tests (dotnet restore).");
            // NuGet extracts package files without the execute bit (the package is linux-x64 only).
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
            return path;
        }
    }

    /// <summary>Compiles a Bicep file to its ARM JSON; compiler errors fail with the compiler's own messages.</summary>
    public static async Task<JsonDocument> BuildAsync(string bicepFile, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("build");
        start.ArgumentList.Add(bicepFile);
        start.ArgumentList.Add("--stdout");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"bicep build {bicepFile} failed ({process.ExitCode}):\n{await stderr}");
        return JsonDocument.Parse(await stdout);
    }
}
