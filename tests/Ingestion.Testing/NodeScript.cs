using System.Diagnostics;

namespace Ingestion.Testing;

/// <summary>Runs a node script from tests/tools (the npm stand-ins' folder) with text on stdin and returns what it printed.</summary>
public static class NodeScript
{
    public sealed record Output(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Output> RunAsync(string script, string? standardInput, IEnumerable<string>? arguments = null, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryPaths.ToolsDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        foreach (var argument in arguments ?? []) psi.ArgumentList.Add(argument);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start node for {script}");
        if (standardInput is not null) await process.StandardInput.WriteAsync(standardInput);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new Output(process.ExitCode, await stdout, await stderr);
    }
}
