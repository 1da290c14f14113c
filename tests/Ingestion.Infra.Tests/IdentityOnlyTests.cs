using System.Text.Json;
using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests;

/// <summary>Every service in the template accepts Entra ID only: no shared keys, no local auth, RBAC Key Vault.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class IdentityOnlyTests(CompiledInfrastructure infra)
{
    private IEnumerable<JsonElement> All(string type) => infra.Main.SelfAndDescendants.SelectMany(t => t.ResourcesOfType(type));

    [Theory]
    [InlineData("Microsoft.Storage/storageAccounts", "allowSharedKeyAccess", false)]
    [InlineData("Microsoft.Storage/storageAccounts", "allowBlobPublicAccess", false)]
    [InlineData("Microsoft.DocumentDB/databaseAccounts", "disableLocalAuth", true)]
    [InlineData("Microsoft.ServiceBus/namespaces", "disableLocalAuth", true)]
    [InlineData("Microsoft.Insights/components", "DisableLocalAuth", true)]
    [InlineData("Microsoft.KeyVault/vaults", "enableRbacAuthorization", true)]
    public void Every_resource_of_the_type_sets_the_property(string type, string property, bool expected)
    {
        var resources = All(type).ToList();
        Assert.NotEmpty(resources);
        foreach (var resource in resources)
        {
            Assert.True(resource.GetProperty("properties").TryGetProperty(property, out var value), $"{type} does not set {property}");
            Assert.Equal(expected ? JsonValueKind.True : JsonValueKind.False, value.ValueKind);
        }
    }

    [Fact]
    public void Host_storage_lake_and_quarantine_are_three_accounts()
    {
        var names = new[] { "host-storage", "lake-storage", "quarantine-storage" }
            .Select(m => infra.Main.Module(m).Parameter("name")!.Value.GetString())
            .ToList();
        Assert.Equal(3, names.Distinct().Count());
        Assert.Equal(JsonValueKind.True, infra.Main.Module("lake-storage").Parameter("isHnsEnabled")!.Value.ValueKind);
    }

    [Fact]
    public void Publishing_with_basic_auth_is_off_and_the_app_runs_as_the_user_assigned_identity()
    {
        var app = infra.Main.Module("function-app").Template;
        var policies = app.ResourcesOfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.Equal(JsonValueKind.False, p.GetProperty("properties").GetProperty("allow").ValueKind));

        var site = app.ResourcesOfType("Microsoft.Web/sites").Single();
        Assert.Equal("UserAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        var deployment = site.GetProperty("properties").GetProperty("functionAppConfig").GetProperty("deployment")
            .GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString();
        Assert.Equal("UserAssignedIdentity", deployment);
    }

    [Fact]
    public void App_settings_are_written_only_from_the_settings_module()
    {
        var configs = infra.Main.SelfAndDescendants.SelectMany(t => t.ResourcesOfType("Microsoft.Web/sites/config")).ToList();
        var appSettings = configs.Where(c => c.GetProperty("name").GetString()!.Contains("appsettings", StringComparison.Ordinal)).ToList();
        Assert.Single(appSettings);
        Assert.Equal("[parameters('appSettings')]", appSettings[0].GetProperty("properties").GetString());
        var passed = infra.Main.Module("function-app").Parameter("appSettings")!.Value.GetString();
        Assert.Contains("'settings'", passed, StringComparison.Ordinal);
        Assert.Contains("outputs.settings.value", passed, StringComparison.Ordinal);
    }
}
