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

    /// <summary>
    /// <c>bicep snapshot</c>: compiles the template and evaluates the deployment a .bicepparam file describes, offline,
    /// into the resources it would create (names, ids and every value that does not depend on a deployed resource).
    /// </summary>
    public static async Task<JsonDocument> SnapshotAsync(string parametersFile, DeploymentTarget target, CancellationToken cancellationToken = default)
    {
        await RunAsync(cancellationToken, "snapshot", parametersFile, "--mode", "overwrite",
            "--tenant-id", target.TenantId, "--subscription-id", target.SubscriptionId,
            "--resource-group", target.ResourceGroup, "--location", target.Location);
        var snapshot = Path.ChangeExtension(parametersFile, ".snapshot.json");
        return JsonDocument.Parse(await File.ReadAllTextAsync(snapshot, cancellationToken));
    }

    private static async Task RunAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"bicep {arguments[0]} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }
}

/// <summary>Where a snapshot pretends to deploy (fixed ids, so resource ids in assertions are predictable).</summary>
public sealed record DeploymentTarget(string TenantId, string SubscriptionId, string ResourceGroup, string Location)
{
    public static DeploymentTarget Test { get; } = new(
        "00000000-0000-0000-0000-0000000000aa", "00000000-0000-0000-0000-0000000000bb", "rg-ingestion-test", "eastus2");

    public string ResourceGroupId => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}";
}
