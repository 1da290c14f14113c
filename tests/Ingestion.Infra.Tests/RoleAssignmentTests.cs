using System.Text.RegularExpressions;
using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests;

/// <summary>
/// The app's identity gets exactly the roles docs/azure.md lists, each on exactly the resource that needs it (never
/// the resource group or subscription), and no other role assignment exists.
/// </summary>
[Collection(DeploymentsCollection.Name)]
public sealed partial class RoleAssignmentTests(Deployments deployments)
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string CosmosDataContributor = "00000000-0000-0000-0000-000000000002";

    private DeploymentSnapshot Deployment => deployments.Default;

    private string Id(string type, string namePrefix) =>
        Deployment.IdOf(type, Deployment.NameOf(type, n => n.StartsWith(namePrefix, StringComparison.Ordinal)));

    [Fact]
    public void Each_role_is_granted_on_exactly_its_resource()
    {
        string Account(string prefix) => Id("Microsoft.Storage/storageAccounts", prefix);
        var topic = Id("Microsoft.ServiceBus/namespaces/topics", "sb-");
        var expected = new[]
        {
            (Account("sthost"), BlobDataOwner),        // Functions host + Durable: blobs, leases, containers
            (Account("sthost"), QueueDataContributor), // Durable control and work-item queues
            (Account("sthost"), TableDataContributor), // Durable history and instances tables
            (Account("stlake"), BlobDataContributor),  // the lake: write parts and manifests
            (Account("stqrn"), BlobDataContributor),   // the quarantine: its own account
            (topic, ServiceBusDataSender), // send to the topic only
            (Id("Microsoft.KeyVault/vaults", "kv-"), KeyVaultSecretsUser),
            (Id("Microsoft.Insights/components", "appi-"), MonitoringMetricsPublisher),
        };
        var actual = Deployment.OfType("Microsoft.Authorization/roleAssignments").Select(r =>
        {
            var scope = ExtensionScope().Match(r.GetProperty("id").GetString()!);
            Assert.True(scope.Success, "role assignment without a resource scope: " + r.GetProperty("id").GetString());
            var role = r.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!;
            return (scope.Groups["scope"].Value, role[(role.LastIndexOf('/') + 1)..]);
        });
        Assert.Equal(expected.Order(), actual.Order());
    }

    [Fact]
    public void Cosmos_data_access_is_the_built_in_data_contributor_on_the_catalog_database()
    {
        var assignment = Deployment.Single("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments").GetProperty("properties");
        var account = Id("Microsoft.DocumentDB/databaseAccounts", "cosmos-");
        Assert.Equal($"{account}/dbs/ingestion", assignment.GetProperty("scope").GetString());
        Assert.Equal($"{account}/sqlRoleDefinitions/{CosmosDataContributor}", assignment.GetProperty("roleDefinitionId").GetString());
    }

    [Fact]
    public void Every_role_goes_to_the_app_identity()
    {
        var identity = Id("Microsoft.ManagedIdentity/userAssignedIdentities", "id-");
        var principals = Deployment.OfType("Microsoft.Authorization/roleAssignments")
            .Concat(Deployment.OfType("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"))
            .Select(r => r.GetProperty("properties").GetProperty("principalId").GetString())
            .Distinct()
            .ToList();
        Assert.Equal([$"[reference('{identity}', '2023-01-31').principalId]"], principals);
    }

    // extensionResourceId('<scope resource id>', 'Microsoft.Authorization/roleAssignments', …)
    [GeneratedRegex(@"^\[extensionResourceId\('(?<scope>/subscriptions/[^']+/providers/[^']+)', 'Microsoft\.Authorization/roleAssignments'")]
    private static partial Regex ExtensionScope();
}
