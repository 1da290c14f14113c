using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests;

/// <summary>The optional parameters: network isolation (private endpoints, public access off, VNet integration) and App Service authentication.</summary>
[Collection(DeploymentsCollection.Name)]
public sealed class NetworkAndAuthenticationTests(Deployments deployments)
{
    private static readonly string[] DataServices =
    [
        "Microsoft.Storage/storageAccounts", "Microsoft.DocumentDB/databaseAccounts",
        "Microsoft.ServiceBus/namespaces", "Microsoft.KeyVault/vaults",
    ];

    // Name prefixes of the resources (main.bicep's naming): host, lake, quarantine storage, Cosmos DB, Service Bus, Key Vault.
    private static readonly string[] Prefixes = ["sthost", "stlake", "stqrn", "cosmos", "sb", "kv"];

    [Fact]
    public void Isolation_turns_public_network_access_off_on_every_data_service()
    {
        foreach (var type in DataServices)
        {
            Assert.All(deployments.Isolated.OfType(type), r =>
                Assert.Equal("Disabled", r.GetProperty("properties").GetProperty("publicNetworkAccess").GetString()));
            Assert.All(deployments.Default.OfType(type), r =>
                Assert.Equal("Enabled", r.GetProperty("properties").GetProperty("publicNetworkAccess").GetString()));
        }
    }

    [Fact]
    public void Isolation_gives_every_data_endpoint_the_app_uses_a_private_endpoint_in_its_dns_zone()
    {
        var endpoints = deployments.Isolated.OfType("Microsoft.Network/privateEndpoints")
            .Select(e => e.GetProperty("properties").GetProperty("privateLinkServiceConnections")[0].GetProperty("properties"))
            .Select(c => (Target: c.GetProperty("privateLinkServiceId").GetString()!.Split('/')[^1], Group: c.GetProperty("groupIds")[0].GetString()!))
            .Select(e => $"{Prefixes.First(p => e.Target.StartsWith(p, StringComparison.Ordinal))}:{e.Group}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(
            ["cosmos:Sql", "kv:vault", "sb:namespace", "sthost:blob", "sthost:queue", "sthost:table", "stlake:blob", "stlake:dfs", "stqrn:blob"],
            endpoints);
        Assert.Equal(9, deployments.Isolated.OfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups").Count());
        Assert.Empty(deployments.Default.OfType("Microsoft.Network/privateEndpoints"));
    }

    [Fact]
    public void Isolation_integrates_the_app_into_the_vnet_and_moves_service_bus_to_premium()
    {
        var subnet = deployments.Isolated.Single("Microsoft.Web/sites").GetProperty("properties").GetProperty("virtualNetworkSubnetId").GetString();
        Assert.Contains("/subnets/app", subnet, StringComparison.Ordinal);
        Assert.Equal("Premium", deployments.Isolated.Single("Microsoft.ServiceBus/namespaces").GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("Standard", deployments.Default.Single("Microsoft.ServiceBus/namespaces").GetProperty("sku").GetProperty("name").GetString());
    }

    [Fact]
    public void App_service_authentication_requires_an_entra_token_except_for_health()
    {
        var auth = deployments.Isolated.OfType("Microsoft.Web/sites/config")
            .Single(c => c.GetProperty("name").GetString()!.EndsWith("/authsettingsV2", StringComparison.Ordinal))
            .GetProperty("properties");
        var validation = auth.GetProperty("globalValidation");
        Assert.True(validation.GetProperty("requireAuthentication").GetBoolean());
        Assert.Equal("Return401", validation.GetProperty("unauthenticatedClientAction").GetString());
        Assert.Equal(["/api/health"], validation.GetProperty("excludedPaths").EnumerateArray().Select(p => p.GetString()));
        var entra = auth.GetProperty("identityProviders").GetProperty("azureActiveDirectory");
        Assert.Equal(Deployments.AuthClientId, entra.GetProperty("registration").GetProperty("clientId").GetString());
        Assert.Contains($"api://{Deployments.AuthClientId}", entra.GetProperty("validation").GetProperty("allowedAudiences").EnumerateArray().Select(a => a.GetString()));

        Assert.DoesNotContain(deployments.Default.OfType("Microsoft.Web/sites/config"),
            c => c.GetProperty("name").GetString()!.EndsWith("/authsettingsV2", StringComparison.Ordinal));
    }

    [Fact]
    public void Alert_rules_notify_the_action_group_when_one_is_given()
    {
        var rules = deployments.Isolated.OfType("Microsoft.Insights/scheduledQueryRules").ToList();
        Assert.NotEmpty(rules);
        Assert.All(rules, r => Assert.EndsWith("/actionGroups/oncall",
            r.GetProperty("properties").GetProperty("actions").GetProperty("actionGroups")[0].GetString(), StringComparison.Ordinal));
    }
}
