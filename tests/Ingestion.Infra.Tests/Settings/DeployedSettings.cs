using System.Text.Json;
using System.Text.RegularExpressions;
using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests.Settings;

/// <summary>
/// The app settings infra/modules/app-settings.bicep (the one list) produces, read from the compiled template:
/// the literal names of its <c>settings</c> variable with their value expressions, and the per-source names its
/// functions build with <c>format('Sources__{0}__…', id)</c> ({0} = the source id, {1} = a list index).
/// </summary>
public sealed partial class DeployedSettings
{
    public const string ModuleName = "app-settings";

    public required IReadOnlyDictionary<string, string> Literal { get; init; }

    /// <summary>Per-source names, with the value expression each is given.</summary>
    public required IReadOnlyList<(SettingPattern Name, string Value)> PerSource { get; init; }

    public IEnumerable<SettingPattern> Names =>
        Literal.Keys.Select(SettingPattern.Parse).Concat(PerSource.Select(p => p.Name));

    public static DeployedSettings From(ArmTemplate main)
    {
        var module = main.Module(ModuleName).Template;
        var literal = module.Variable("settings").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
        var functions = module.Root.TryGetProperty("functions", out var f) ? f.GetRawText() : "";
        var perSource = new List<(SettingPattern, string)>();
        foreach (Match match in PerSourceName().Matches(functions))
        {
            var name = new SettingPattern(match.Groups["name"].Value.Split("__")
                .Select(s => s switch { "{0}" => SettingPattern.AnyKey, "{1}" => SettingPattern.AnyIndex, _ => s })
                .ToList());
            // The value is the next argument after the format(...) call that builds the name.
            var afterName = ArmExpressionText.EndOfCall(functions, match.Index);
            perSource.Add((name, ArmExpressionText.NextArgument(functions, afterName)));
        }
        return new DeployedSettings { Literal = literal, PerSource = perSource };
    }

    [GeneratedRegex(@"format\('(?<name>\w+__\{0\}__[\w{}]+)'")]
    private static partial Regex PerSourceName();
}
