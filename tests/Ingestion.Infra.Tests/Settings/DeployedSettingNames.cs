using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests.Settings;

/// <summary>
/// The deployed app setting names as patterns: a source id segment becomes <see cref="SettingPattern.AnyKey"/> and a
/// list index <see cref="SettingPattern.AnyIndex"/>, so "Sources__ehr-north__AllowedFileHosts__1" compares with the
/// sample's "Sources__demo__AllowedFileHosts__0" and with the options' Sources dictionary.
/// </summary>
public static class DeployedSettingNames
{
    public static IReadOnlyList<SettingPattern> Of(DeploymentSnapshot deployment) =>
        deployment.AppSettings.Keys
            .Select(name => Generalize(SettingPattern.Parse(name), deployment.SourceIds))
            .Distinct(SettingPatternComparer.Instance)
            .ToList();

    private static SettingPattern Generalize(SettingPattern name, IReadOnlyList<string> sourceIds) =>
        new(name.Segments.Select(segment =>
                sourceIds.Contains(segment, StringComparer.OrdinalIgnoreCase) ? SettingPattern.AnyKey
                : segment.Length > 0 && segment.All(char.IsAsciiDigit) ? SettingPattern.AnyIndex
                : segment)
            .ToList());
}

/// <summary>Case-insensitive equality of patterns (configuration keys are case-insensitive).</summary>
public sealed class SettingPatternComparer : IEqualityComparer<SettingPattern>
{
    public static SettingPatternComparer Instance { get; } = new();

    public bool Equals(SettingPattern? x, SettingPattern? y) =>
        string.Equals(x?.ToString(), y?.ToString(), StringComparison.OrdinalIgnoreCase);

    public int GetHashCode(SettingPattern obj) => StringComparer.OrdinalIgnoreCase.GetHashCode(obj.ToString());
}
