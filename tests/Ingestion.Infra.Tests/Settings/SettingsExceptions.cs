using System.Text.Json;
using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests.Settings;

/// <summary>
/// infra/app-settings.exceptions.json: the documented names the settings test lets through, each with its reason.
/// <c>hostSettings</c>: read by the Functions host or platform (or a trigger's %binding expression%), not by an
/// options class. <c>pendingOtherBranches</c>: names that do not line up yet because the options they need are
/// being written on another branch; every one must still be a mismatch (the test fails once it binds, so the list
/// is emptied after merging instead of rotting). <c>rootBoundOptions</c>: options classes (full type names) the app
/// binds from the configuration root rather than a section of their own.
/// </summary>
public sealed record SettingsExceptions(
    IReadOnlyDictionary<string, string> HostSettings,
    IReadOnlyDictionary<string, string> PendingOtherBranches,
    IReadOnlyDictionary<string, string> RootBoundOptions)
{
    public static string FilePath => Path.Combine(DeploymentSnapshot.InfraDirectory, "app-settings.exceptions.json");

    public static SettingsExceptions Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FilePath));
        return new SettingsExceptions(
            Section(document, "hostSettings"), Section(document, "pendingOtherBranches"), Section(document, "rootBoundOptions"));
    }

    public bool IsHostSetting(SettingPattern name) => HostSettings.Keys.Any(k => SettingPattern.Parse(k).Covers(name));

    private static Dictionary<string, string> Section(JsonDocument document, string name) =>
        document.RootElement.TryGetProperty(name, out var section)
            ? section.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
