using System.CommandLine;
using System.Text.RegularExpressions;
using Ingestion.Cli.Commands;
using Ingestion.Testing;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// Every option is also a setting, with the same meaning everywhere: each option of each CLI command is either a
/// documented configuration key (README, local.settings.sample.json or the docs page of its section) or listed as a
/// per-invocation argument with a reason; and a setting given in the environment is honoured by a command the same
/// way as its flag (the case that was broken: Fhir__AllowInsecureHttp ignored by export).
/// </summary>
public sealed class CommandSettingsTests
{
    private static IEnumerable<(string Command, Option Option)> AllOptions()
    {
        static IEnumerable<(string, Option)> Walk(Command command, string path)
        {
            foreach (var option in command.Options.Where(o => o.Name is not ("--help" or "--version"))) yield return (path, option);
            foreach (var sub in command.Subcommands)
                foreach (var found in Walk(sub, path.Length == 0 ? sub.Name : path + " " + sub.Name)) yield return found;
        }
        return CommandCatalog.All().SelectMany(c => Walk(c, c.Name));
    }

    private static readonly Lazy<string> Documentation = new(() =>
        string.Join("\n", new[] { "README.md", "local.settings.sample.json" }.Select(f => File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, f)))
            .Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.RepositoryRoot, "docs"), "*.md").Select(File.ReadAllText))));

    /// <summary>Documented as <c>Section__Key</c> (any list index or child), or as a row of the docs table of its section.</summary>
    private static bool IsDocumented(string key)
    {
        var name = key.Replace(":", "__", StringComparison.Ordinal);
        if (Documentation.Value.Contains(name, StringComparison.Ordinal)) return true;
        var cut = key.LastIndexOf(':');
        return Regex.IsMatch(Documentation.Value, $"configuration section `{Regex.Escape(key[..cut])}`[\\s\\S]*?\\| `{Regex.Escape(key[(cut + 1)..])}` \\|");
    }

    [Fact]
    public void Every_option_of_every_command_is_a_documented_setting_or_a_named_per_invocation_argument()
    {
        var problems = new List<string>();
        var options = AllOptions().ToList();
        Assert.True(options.Count > 50, $"only {options.Count} options found: the walk missed commands");
        foreach (var (command, option) in options)
        {
            var setting = OptionSettings.SettingOf(command, option.Name);
            var reason = OptionSettings.ReasonNotASetting(command, option.Name);
            if (setting is null && reason is null) problems.Add($"{command} {option.Name}: neither a setting nor a per-invocation argument");
            else if (setting is not null && !IsDocumented(setting)) problems.Add($"{command} {option.Name}: setting {setting} is not documented");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void An_option_name_means_one_setting_in_every_command_that_has_it()
    {
        var meanings = AllOptions()
            .Select(o => (o.Command, o.Option.Name, Setting: OptionSettings.SettingOf(o.Command, o.Option.Name)))
            .Where(o => o.Setting is not null && !OptionSettings.Settings.ContainsKey(o.Command + " " + o.Name))
            .GroupBy(o => o.Name)
            .Where(g => g.Select(o => o.Setting).Distinct().Count() > 1)
            .Select(g => g.Key)
            .ToList();
        Assert.Empty(meanings);
    }

    [Fact]
    public async Task Export_honours_the_fhir_network_settings_from_the_environment_as_it_honours_its_flags()
    {
        var root = Directory.CreateTempSubdirectory("export-settings-").FullName;
        try
        {
        await using var server = await DemoServer.DemoFhirServer.StartAsync(new DemoServer.DemoServerOptions { Patients = 2, SpoolDirectory = root });
        string[] export = ["export", "--fhir-base", server.BaseUrl.ToString(), "--type", "Patient"];

        var (refused, _, reason) = await CliTests.RunWithEnvironmentAsync(root, new Dictionary<string, string?>(), [.. export, "--output", Path.Combine(root, "refused")]);
        Assert.Equal(1, refused);
        Assert.Contains("http", reason, StringComparison.OrdinalIgnoreCase);

        var settings = new Dictionary<string, string?> { ["Fhir__AllowInsecureHttp"] = "true", ["Fhir__AllowPrivateNetwork"] = "true" };
        var (landed, _, stderr) = await CliTests.RunWithEnvironmentAsync(root, settings, [.. export, "--output", Path.Combine(root, "landed")]);
        Assert.True(landed == 0, stderr);
        Assert.True(File.Exists(Path.Combine(root, "landed", "manifest.json")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
