using Ingestion.Infra.Tests.Settings;
using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests;

/// <summary>
/// The settings infra deploys, the settings local.settings.sample.json lists and the settings the options classes
/// bind are the same names (docs/azure.md, "App settings"). Exceptions are documented in
/// infra/app-settings.exceptions.json.
/// </summary>
[Collection(DeploymentsCollection.Name)]
public sealed class AppSettingsDriftTests(Deployments deployments)
{
    private static readonly SettingsExceptions Exceptions = SettingsExceptions.Load();
    private readonly OptionsCatalog options = OptionsCatalog.Load([.. Exceptions.RootBoundOptions.Keys]);
    private readonly SettingsExceptions exceptions = Exceptions;
    private IReadOnlyList<SettingPattern> Deployed => DeployedSettingNames.Of(deployments.Default);
    private static IEnumerable<SettingPattern> Sample => LocalSettingsSample.Names().Select(SettingPattern.Parse);

    [Fact]
    public void The_reflection_finds_the_options_classes_it_compares_against()
    {
        // Guards the mechanics: if no options class were found, every other check here would pass vacuously.
        Assert.NotEmpty(options.OptionsTypes);
        Assert.Contains(options.Settings, s => s.Pattern.Segments.Count >= 2);
    }

    [Fact]
    public void Every_deployed_setting_binds_to_an_option_or_is_a_documented_host_setting() =>
        AssertOnlyPendingMismatches(
            "deployed by infra/modules/app-settings.bicep but bound by no options class (and not a documented host setting)",
            DeployedButUnbound());

    [Fact]
    public void Every_sample_setting_binds_to_an_option_or_is_a_documented_host_setting() =>
        AssertOnlyPendingMismatches(
            "listed in local.settings.sample.json but bound by no options class (and not a documented host setting)",
            SampleButUnbound());

    [Fact]
    public void Every_deployed_app_setting_is_listed_in_the_sample() =>
        AssertOnlyPendingMismatches("deployed by infra but missing from local.settings.sample.json", DeployedButNotInSample());

    [Fact]
    public void Every_option_the_app_requires_is_deployed() =>
        AssertOnlyPendingMismatches(
            "required by its options class ([Required] or 'required') but not deployed by infra", RequiredButNotDeployed());

    [Fact]
    public void Pending_exceptions_are_removed_once_the_names_line_up()
    {
        var stillMismatched = DeployedButUnbound().Concat(SampleButUnbound()).Concat(DeployedButNotInSample()).Concat(RequiredButNotDeployed())
            .Select(n => n.ToString())
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var resolved = exceptions.PendingOtherBranches.Keys.Where(k => !stillMismatched.Contains(k)).ToList();
        Assert.True(resolved.Count == 0,
            $"These names now line up: remove them from pendingOtherBranches in {SettingsExceptions.FilePath}:\n  "
            + string.Join("\n  ", resolved));
    }

    private IEnumerable<SettingPattern> DeployedButUnbound() =>
        Deployed.Where(n => !exceptions.IsHostSetting(n) && !options.Binds(n));

    private IEnumerable<SettingPattern> SampleButUnbound() =>
        Sample.Where(n => !exceptions.IsHostSetting(n) && !options.Binds(n));

    private IEnumerable<SettingPattern> DeployedButNotInSample() =>
        Deployed.Where(n => !exceptions.IsHostSetting(n) && !Sample.Any(n.Covers));

    private IEnumerable<SettingPattern> RequiredButNotDeployed() =>
        options.Settings.Where(s => s.Required && !Deployed.Any(s.Pattern.Covers)).Select(s => s.Pattern);

    private void AssertOnlyPendingMismatches(string what, IEnumerable<SettingPattern> mismatches)
    {
        var unexpected = mismatches.Select(n => n.ToString())
            .Where(n => !exceptions.PendingOtherBranches.ContainsKey(n))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(unexpected.Count == 0, $"Settings {what}:\n  " + string.Join("\n  ", unexpected));
    }
}
