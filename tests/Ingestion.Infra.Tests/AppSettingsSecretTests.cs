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
        Assert.Equal("https://ehr-north.example.org/fhir", Settings["Sources__ehr-north__BaseUrl"]);
        Assert.Equal("cdn.ehr-north.example.org", Settings["Sources__ehr-north__AllowedFileHosts__1"]);
        Assert.Equal("false", Settings["Sources__ehr-north__Incremental"]);
        Assert.Equal("true", Settings["Sources__ehr-south__Incremental"]);
        Assert.Equal("RS384", Settings["Sources__ehr-south__Smart__Algorithm"]);
        Assert.DoesNotContain("Sources__ehr-south__Group", Settings.Keys);
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
    public void Every_secret_setting_is_a_reference_to_the_deployed_key_vault()
    {
        var vault = deployments.Default.Single("Microsoft.KeyVault/vaults").GetProperty("name").GetString();
        var secrets = Settings.Where(s => SecretName().IsMatch(s.Key)).ToList();
        Assert.Equal(
            ["Deid__Key", "Sources__ehr-north__Smart__PrivateKeyPem", "Sources__ehr-south__Smart__PrivateKeyPem"],
            secrets.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.All(secrets, s => Assert.Matches($@"^@Microsoft\.KeyVault\(VaultName={vault};SecretName=[a-z0-9-]+\)$", s.Value));
        Assert.Equal("@Microsoft.KeyVault(VaultName=" + vault + ";SecretName=source-ehr-north-smart-key)",
            Settings["Sources__ehr-north__Smart__PrivateKeyPem"]);
    }

    [Fact]
    public void Identity_based_connections_name_the_user_assigned_identity()
    {
        var identity = deployments.Default.IdOf("Microsoft.ManagedIdentity/userAssignedIdentities",
            deployments.Default.Single("Microsoft.ManagedIdentity/userAssignedIdentities").GetProperty("name").GetString()!);
        var credentials = Settings.Where(kv => kv.Key.EndsWith("__credential", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, credentials.Count); // host storage, lake, quarantine, Service Bus, Cosmos DB
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
