using System.Text.Json;
using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests;

/// <summary>Every service accepts Entra ID only: no shared keys, no local auth, RBAC Key Vault, no basic-auth publishing.</summary>
[Collection(DeploymentsCollection.Name)]
public sealed class IdentityOnlyTests(Deployments deployments)
{
    [Theory]
    [InlineData("Microsoft.Storage/storageAccounts", "allowSharedKeyAccess", false)]
    [InlineData("Microsoft.Storage/storageAccounts", "allowBlobPublicAccess", false)]
    [InlineData("Microsoft.DocumentDB/databaseAccounts", "disableLocalAuth", true)]
    [InlineData("Microsoft.ServiceBus/namespaces", "disableLocalAuth", true)]
    [InlineData("Microsoft.Insights/components", "DisableLocalAuth", true)]
    [InlineData("Microsoft.KeyVault/vaults", "enableRbacAuthorization", true)]
    [InlineData("Microsoft.Web/sites/basicPublishingCredentialsPolicies", "allow", false)]
    public void Every_resource_of_the_type_sets_the_property(string type, string property, bool expected)
    {
        foreach (var deployment in new[] { deployments.Default, deployments.Isolated })
        {
            var resources = deployment.OfType(type).ToList();
            Assert.NotEmpty(resources);
            foreach (var resource in resources)
            {
                Assert.True(resource.GetProperty("properties").TryGetProperty(property, out var value), $"{type} does not set {property}");
                Assert.Equal(expected ? JsonValueKind.True : JsonValueKind.False, value.ValueKind);
            }
        }
    }

    [Fact]
    public void Host_storage_lake_and_quarantine_are_three_accounts_and_only_the_lake_is_adls_gen2()
    {
        var accounts = deployments.Default.OfType("Microsoft.Storage/storageAccounts")
            .ToDictionary(a => a.GetProperty("name").GetString()!, a => a.GetProperty("properties").GetProperty("isHnsEnabled").GetBoolean());
        Assert.Equal(3, accounts.Count);
        Assert.Equal(["stlake"], accounts.Where(a => a.Value).Select(a => a.Key[..6]));

        // account/default/container → container: account
        var containers = deployments.Default.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(c => c.GetProperty("name").GetString()!.Split('/'))
            .ToDictionary(parts => parts[2], parts => parts[0]);
        Assert.StartsWith("sthost", containers["app-package"], StringComparison.Ordinal);
        Assert.StartsWith("stlake", containers["lake"], StringComparison.Ordinal);
        Assert.StartsWith("stqrn", containers["quarantine"], StringComparison.Ordinal);
        Assert.Equal(3, containers.Count);
    }

    [Fact]
    public void The_app_runs_on_flex_consumption_as_the_user_assigned_identity_and_reads_its_package_with_it()
    {
        var plan = deployments.Default.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());

        var site = deployments.Default.Single("Microsoft.Web/sites");
        var identity = deployments.Default.IdOf("Microsoft.ManagedIdentity/userAssignedIdentities",
            deployments.Default.Single("Microsoft.ManagedIdentity/userAssignedIdentities").GetProperty("name").GetString()!);
        Assert.Equal("UserAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        Assert.True(site.GetProperty("identity").GetProperty("userAssignedIdentities").TryGetProperty(identity, out _));

        var config = site.GetProperty("properties").GetProperty("functionAppConfig");
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        var authentication = config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication");
        Assert.Equal("UserAssignedIdentity", authentication.GetProperty("type").GetString());
        Assert.Equal(identity, authentication.GetProperty("userAssignedIdentityResourceId").GetString());
        Assert.Equal(identity, site.GetProperty("properties").GetProperty("keyVaultReferenceIdentity").GetString());
    }

    [Fact]
    public void App_settings_are_written_by_one_resource_and_never_inline_in_the_site()
    {
        var configs = deployments.Default.OfType("Microsoft.Web/sites/config")
            .Count(c => c.GetProperty("name").GetString()!.EndsWith("/appsettings", StringComparison.Ordinal));
        Assert.Equal(1, configs);
        var siteConfig = deployments.Default.Single("Microsoft.Web/sites").GetProperty("properties").GetProperty("siteConfig");
        Assert.False(siteConfig.TryGetProperty("appSettings", out _));
        // Flex Consumption rejects these: the runtime comes from functionAppConfig.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", deployments.Default.AppSettings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", deployments.Default.AppSettings.Keys);
    }
}
