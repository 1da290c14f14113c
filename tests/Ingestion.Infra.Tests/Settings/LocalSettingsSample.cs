using System.Text.Json;
using Ingestion.Testing;

namespace Ingestion.Infra.Tests.Settings;

/// <summary>The setting names listed in local.settings.sample.json ("Values").</summary>
public static class LocalSettingsSample
{
    public static string FilePath => Path.Combine(RepositoryPaths.RepositoryRoot, "local.settings.sample.json");

    public static IReadOnlyList<string> Names()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FilePath));
        return document.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();
    }
}
