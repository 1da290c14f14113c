using System.Diagnostics;

namespace Ingestion.Benchmarks;

/// <summary>
/// A published `Ingestion.Cli` folder and how to start it: framework-dependent builds (the product's publish, README
/// "Publish") run as `dotnet Ingestion.Cli.dll`; a self-contained build (it carries its own runtime) runs through its
/// app host, so it uses the runtime and precompiled framework it was published with.
/// </summary>
internal static class PublishedCli
{
    private const string Assembly = "Ingestion.Cli.dll";

    /// <summary>The folder, after checking that it holds a published CLI.</summary>
    public static string Folder(string folder) =>
        File.Exists(Path.Combine(folder, Assembly)) ? folder : throw new FileNotFoundException($"No published CLI at {Path.Combine(folder, Assembly)}.");

    /// <summary>A process start for the CLI in <paramref name="folder"/>; the caller adds the arguments.</summary>
    public static ProcessStartInfo Start(string folder)
    {
        var selfContained = File.Exists(Path.Combine(folder, "libcoreclr.so"));
        var psi = new ProcessStartInfo(selfContained ? Path.Combine(folder, "Ingestion.Cli") : "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (!selfContained) psi.ArgumentList.Add(Path.Combine(folder, Assembly));
        return psi;
    }
}
