using Ingestion.Fhir.BulkData;
using Ingestion.Infra.Tests.Settings;
using Ingestion.Privacy;

namespace Ingestion.Infra.Tests;

/// <summary>The name matching and the options reflection the drift test relies on.</summary>
public sealed class SettingsMechanicsTests
{
    private static readonly OptionsCatalog Options = OptionsCatalog.Load();

    [Theory]
    [InlineData("Sources__{key}__FhirBaseUrl", "Sources__ehr1__FhirBaseUrl", true)]
    [InlineData("Sources__{key}__FhirBaseUrl", "sources:EHR1:fhirbaseurl", true)]
    [InlineData("Fhir__AllowedFileHosts__{index}", "Fhir__AllowedFileHosts__12", true)]
    [InlineData("Fhir__AllowedFileHosts__{index}", "Fhir__AllowedFileHosts__first", false)]
    [InlineData("Fhir__AllowedFileHosts__{index}", "Fhir__AllowedFileHosts", false)]
    [InlineData("Lake__Container", "Lake__ContainerName", false)]
    [InlineData("Lake__Container", "Lake__Container__Extra", false)]
    public void A_pattern_covers_the_names_configuration_would_bind_to_it(string pattern, string name, bool covered) =>
        Assert.Equal(covered, SettingPattern.Parse(pattern).Covers(SettingPattern.Parse(name)));

    [Fact]
    public void Options_properties_become_setting_names_under_their_section()
    {
        Assert.True(Options.Binds(SettingPattern.Parse($"{DeidentificationOptions.SectionName}__{nameof(DeidentificationOptions.Key)}")));
        Assert.True(Options.Binds(SettingPattern.Parse($"{BulkExportClientOptions.SectionName}__{nameof(BulkExportClientOptions.AllowedFileHosts)}__3")));
        Assert.False(Options.Binds(SettingPattern.Parse($"{DeidentificationOptions.SectionName}__NoSuchSetting")));
        Assert.False(Options.Binds(SettingPattern.Parse("NoSuchSection__Key")));
    }
}
