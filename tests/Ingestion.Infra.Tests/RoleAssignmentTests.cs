using System.Text.Json;
using System.Text.RegularExpressions;
using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests;

/// <summary>
/// Each role assignment gives the app's identity exactly the role docs/azure.md lists, on exactly the resource that
/// needs it (never the resource group or subscription), and nothing else gets a role.
/// </summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed partial class RoleAssignmentTests(CompiledInfrastructure infra)
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string CosmosDataContributor = "00000000-0000-0000-0000-000000000002";

    /// <summary>Module deployment → (scope resource type, role) pairs it must grant, and nothing more.</summary>
    private static readonly Dictionary<string, (string Scope, string Role)[]> Expected = new()
    {
        ["host-storage"] = [("Microsoft.Storage/storageAccounts", BlobDataOwner), ("Microsoft.Storage/storageAccounts", QueueDataContributor), ("Microsoft.Storage/storageAccounts", TableDataContributor)],
        ["lake-storage"] = [("Microsoft.Storage/storageAccounts", BlobDataContributor)],
        ["quarantine-storage"] = [("Microsoft.Storage/storageAccounts", BlobDataContributor)],
        ["service-bus"] = [("Microsoft.ServiceBus/namespaces/topics", ServiceBusDataSender)],
        ["key-vault"] = [("Microsoft.KeyVault/vaults", KeyVaultSecretsUser)],
        ["monitoring"] = [("Microsoft.Insights/components", MonitoringMetricsPublisher)],
        ["cosmos"] = [("Microsoft.DocumentDB/databaseAccounts/dbs", CosmosDataContributor)],
    };

    [Fact]
    public void Each_module_grants_exactly_its_roles_on_its_own_resource()
    {
        var actual = infra.Main.Modules.ToDictionary(m => m.Name, Grants);
        foreach (var (module, expected) in Expected)
            Assert.Equal(expected.Order(), actual[module].Order());
        var unexpected = actual.Where(kv => !Expected.ContainsKey(kv.Key) && kv.Value.Count > 0).Select(kv => kv.Key).ToList();
        Assert.True(unexpected.Count == 0, "modules granting roles nobody documented: " + string.Join(", ", unexpected));
        Assert.Empty(infra.Main.ResourcesOfType("Microsoft.Authorization/roleAssignments"));
    }

    [Fact]
    public void Every_role_goes_to_the_app_identity()
    {
        foreach (var module in infra.Main.Modules.Where(m => Expected.ContainsKey(m.Name)))
        {
            var principal = module.Parameter("principalId")!.Value.GetString();
            Assert.Matches(IdentityPrincipal(), principal);
        }
    }

    /// <summary>The (scope type, role id) pairs one module's role assignments produce, with parameters resolved from main.</summary>
    private List<(string Scope, string Role)> Grants(ModuleDeployment module)
    {
        var grants = new List<(string, string)>();
        var template = module.Template;
        foreach (var assignment in template.ResourcesOfType("Microsoft.Authorization/roleAssignments"))
        {
            var scope = assignment.TryGetProperty("scope", out var s) ? s.GetString()! : "";
            var scopeType = ScopeResource().Match(scope) is { Success: true } m ? m.Groups["type"].Value : "(resource group)";
            Assert.True(template.ResourcesOfType(scopeType).Any(), $"{module.Name}: role scope {scope} is not a resource this module declares");
            var roleExpression = assignment.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!;
            grants.AddRange(Roles(roleExpression, module).Select(role => (scopeType, role)));
        }
        foreach (var assignment in template.ResourcesOfType("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"))
        {
            var properties = assignment.GetProperty("properties");
            var scope = properties.GetProperty("scope").GetString()!;
            var scopeType = scope.Contains("/dbs/", StringComparison.Ordinal) && ScopeResource().IsMatch(scope)
                ? ScopeResource().Match(scope).Groups["type"].Value + "/dbs"
                : "(account)";
            grants.AddRange(Roles(properties.GetProperty("roleDefinitionId").GetString()!, module).Select(role => (scopeType, role)));
        }
        return grants;
    }

    /// <summary>Role ids an expression names: a module variable, or a parameter array passed by main (resolved through main's variables).</summary>
    private IEnumerable<string> Roles(string expression, ModuleDeployment module)
    {
        if (VariableReference().Match(expression) is { Success: true } variable && module.Template.TryGetVariable(variable.Groups["name"].Value, out var value))
            return [value.GetString()!];
        if (ParameterReference().Match(expression) is { Success: true } parameter)
            return module.Parameter(parameter.Groups["name"].Value)!.Value.EnumerateArray().Select(e => ResolveMain(e.GetString()!));
        throw new InvalidOperationException($"{module.Name}: cannot tell which role '{expression}' grants");
    }

    private string ResolveMain(string expression)
    {
        var match = MainRoleVariable().Match(expression);
        if (!match.Success) return expression;
        return infra.Main.Variable(match.Groups["variable"].Value).GetProperty(match.Groups["member"].Value).GetString()!;
    }

    // main.bicep's identity module output, in either template layout (symbolic name or resourceId).
    [GeneratedRegex(@"^\[reference\((resourceId\('Microsoft.Resources/deployments', )?'identity'\)?[^)]*\)\.outputs\.principalId\.value\]$")]
    private static partial Regex IdentityPrincipal();

    [GeneratedRegex(@"resourceId\('(?<type>[^']+)'")]
    private static partial Regex ScopeResource();

    [GeneratedRegex(@"variables\('(?<name>\w+)'\)\)?\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"parameters\('(?<name>\w+)'\)\[copyIndex\(\)\]")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"^\[variables\('(?<variable>\w+)'\)\.(?<member>\w+)\]$")]
    private static partial Regex MainRoleVariable();
}
