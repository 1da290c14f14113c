using System.Text.RegularExpressions;
using Ingestion.Infra.Tests.Settings;
using Ingestion.Infra.Tests.Templates;

namespace Ingestion.Infra.Tests;

/// <summary>No app setting carries a connection string, an account key or a secret value: secrets are Key Vault references.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed partial class AppSettingsSecretTests(CompiledInfrastructure infra)
{
    // Application Insights' connection string holds no secret (an ingestion endpoint and a public id), and local auth
    // is off on the component, so telemetry is accepted only with the identity's Entra token.
    private const string InsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    private DeployedSettings Deployed => DeployedSettings.From(infra.Main);

    private IEnumerable<(string Name, string Value)> AllSettings =>
        Deployed.Literal.Select(kv => (kv.Key, kv.Value)).Concat(Deployed.PerSource.Select(p => (p.Name.ToString(), p.Value)));

    [Fact]
    public void The_settings_module_produces_host_app_and_per_source_settings()
    {
        Assert.Contains("AzureWebJobsStorage__accountName", Deployed.Literal.Keys);
        Assert.Contains(Deployed.PerSource, p => p.Name.ToString() == "Sources__{key}__Smart__PrivateKeyPem");
        Assert.Contains(Deployed.PerSource, p => p.Name.ToString() == "Sources__{key}__AllowedFileHosts__{index}");
    }

    [Fact]
    public void No_setting_is_a_connection_string_or_a_key()
    {
        var offending = AllSettings
            .Where(s => s.Name != InsightsConnectionString)
            .Where(s => ConnectionStringName().IsMatch(s.Name) || KeyMaterial().IsMatch(s.Value))
            .Select(s => s.Name)
            .ToList();
        Assert.True(offending.Count == 0, "settings with a connection string or key: " + string.Join(", ", offending));
    }

    [Fact]
    public void The_template_never_reads_keys_from_a_resource() =>
        Assert.DoesNotMatch(ListKeysCall(), infra.Text);

    [Fact]
    public void Every_secret_setting_is_a_key_vault_reference()
    {
        var secrets = AllSettings.Where(s => SecretName().IsMatch(s.Name)).ToList();
        Assert.NotEmpty(secrets);
        var plain = secrets.Where(s => !s.Value.Contains("vaultRef(", StringComparison.Ordinal)
                                       && !s.Value.Contains("@Microsoft.KeyVault(", StringComparison.Ordinal))
            .Select(s => s.Name)
            .ToList();
        Assert.True(plain.Count == 0, "secret settings not taken from Key Vault: " + string.Join(", ", plain));
    }

    [Fact]
    public void Identity_based_connections_name_the_managed_identity()
    {
        var credentials = Deployed.Literal.Where(kv => kv.Key.EndsWith("__credential", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(credentials);
        foreach (var (name, value) in credentials)
        {
            Assert.Equal("managedidentity", value);
            var connection = name[..^"__credential".Length];
            Assert.True(Deployed.Literal.ContainsKey(connection + "__clientId"), $"{connection}__clientId is missing (user-assigned identity)");
        }
    }

    [GeneratedRegex("ConnectionString|ConnectionStrings__", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringName();

    [GeneratedRegex(@"AccountKey=|SharedAccessKey|SharedAccessSignature|DefaultEndpointsProtocol=|\bsig=|Password=|listKeys|listConnectionStrings|InstrumentationKey=", RegexOptions.IgnoreCase)]
    private static partial Regex KeyMaterial();

    [GeneratedRegex(@"\blist(Keys|ConnectionStrings|AccountSas|ServiceSas|Secrets)\(", RegexOptions.IgnoreCase)]
    private static partial Regex ListKeysCall();

    // Names whose value would be a secret: keys, private keys, passwords, client secrets.
    [GeneratedRegex(@"(__|^)(\w*Key|\w*PrivateKeyPem|\w*Password|\w*Secret|Jwk)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
