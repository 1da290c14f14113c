using System.Text.RegularExpressions;
using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests;

/// <summary>No app setting carries a connection string, an account key or a secret value: secrets are Key Vault references.</summary>
[Collection(DeploymentsCollection.Name)]
public sealed partial class AppSettingsSecretTests(Deployments deployments)
{
    // Application Insights' connection string holds no secret (an ingestion endpoint and a public id), and local auth
    // is off on the component, so telemetry is accepted only with the identity's Entra token.
    private const string InsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    private IReadOnlyDictionary<string, string> Settings => deployments.Default.AppSettings;

    [Fact]
    public void Each_source_gets_its_settings_and_optional_members_only_when_set()
    {
        Assert.Equal("https://ehr-north.example.org/fhir", Settings["Sources__ehr-north__FhirBaseUrl"]);
        Assert.Equal("cdn.ehr-north.example.org", Settings["Sources__ehr-north__AllowedFileHosts__1"]);
        Assert.Equal("Observation", Settings["Sources__ehr-north__Types__1"]);
        Assert.Equal("Observation?category=laboratory", Settings["Sources__ehr-north__TypeFilters__0"]);
        Assert.Equal("group", Settings["Sources__ehr-north__Level"]);
        Assert.Equal("false", Settings["Sources__ehr-north__Incremental"]);
        Assert.Equal("true", Settings["Sources__ehr-south__Incremental"]);
        Assert.Equal("RS384", Settings["Sources__ehr-south__Algorithm"]);
        Assert.Equal("system", Settings["Sources__ehr-south__Level"]);
        Assert.DoesNotContain("Sources__ehr-south__GroupId", Settings.Keys);
        Assert.DoesNotContain(Settings.Keys, k => k.StartsWith("Sources__ehr-south__AllowedFileHosts", StringComparison.Ordinal));
    }

    [Fact]
    public void No_setting_is_a_connection_string_or_a_key()
    {
        var offending = Settings
            .Where(s => s.Key != InsightsConnectionString)
            .Where(s => s.Key.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) || KeyMaterial().IsMatch(s.Value))
            .Select(s => s.Key)
            .ToList();
        Assert.True(offending.Count == 0, "settings with a connection string or key: " + string.Join(", ", offending));
    }

    [Fact]
    public void The_deployment_never_reads_keys_from_a_resource() =>
        Assert.DoesNotMatch(ListKeysCall(), deployments.Default.Text + deployments.Isolated.Text);

    [Fact]
    public void Secrets_stay_in_the_deployed_key_vault_and_settings_only_reference_them()
    {
        var vault = deployments.Default.Single("Microsoft.KeyVault/vaults").GetProperty("name").GetString();
        var secrets = Settings.Where(s => SecretName().IsMatch(s.Key)).ToList();
        Assert.Equal(["Deid__Key"], secrets.Select(s => s.Key));
        Assert.All(secrets, s => Assert.Matches($@"^@Microsoft\.KeyVault\(VaultName={vault};SecretName=[a-z0-9-]+\)$", s.Value));
        // A source's private key is named, not resolved: the app reads the secret with its identity. The snapshot
        // leaves the cloud's Key Vault DNS suffix unevaluated: https://<vault><suffix>/secrets/<name>.
        foreach (var source in Deployments.SourceIds)
        {
            var reference = Settings[$"Sources__{source}__KeyReference"];
            Assert.StartsWith("[format('{0}secrets/{1}', format('https://{0}{1}/', '" + vault + "', environment().suffixes.keyvaultDns)", reference, StringComparison.Ordinal);
            Assert.EndsWith($", 'source-{source}-smart-key')]", reference, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Identity_based_connections_name_the_user_assigned_identity()
    {
        var identity = deployments.Default.IdOf("Microsoft.ManagedIdentity/userAssignedIdentities",
            deployments.Default.Single("Microsoft.ManagedIdentity/userAssignedIdentities").GetProperty("name").GetString()!);
        var credentials = Settings.Where(kv => kv.Key.EndsWith("__credential", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, credentials.Count); // host storage, Durable, lake, quarantine, Service Bus, Cosmos DB
        foreach (var (name, value) in credentials)
        {
            Assert.Equal("managedidentity", value);
            var clientId = Settings[name[..^"__credential".Length] + "__clientId"];
            Assert.Contains($"reference('{identity}'", clientId, StringComparison.Ordinal);
            Assert.EndsWith(".clientId]", clientId, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"AccountKey=|SharedAccessKey|SharedAccessSignature|DefaultEndpointsProtocol=|\bsig=|Password=|InstrumentationKey=|BEGIN [A-Z ]*PRIVATE KEY", RegexOptions.IgnoreCase)]
    private static partial Regex KeyMaterial();

    [GeneratedRegex(@"\blist(Keys|ConnectionStrings|AccountSas|ServiceSas|Secrets)?\(", RegexOptions.IgnoreCase)]
    private static partial Regex ListKeysCall();

    // Names whose value would be a secret: keys, private keys, passwords, client secrets.
    [GeneratedRegex(@"(__|^)(\w*Key|\w*PrivateKeyPem|\w*Password|\w*Secret|Jwk)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
