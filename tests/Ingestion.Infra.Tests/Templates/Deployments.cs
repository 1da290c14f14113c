namespace Ingestion.Infra.Tests.Templates;

/// <summary>
/// The two deployments the tests evaluate once per run: the default (public endpoints, no App Service
/// authentication) and the hardened one (network isolation and Entra ID authentication on).
/// </summary>
public sealed class Deployments : IAsyncLifetime
{
    public const string AuthClientId = "11111111-2222-3333-4444-555555555555";

    // Two sources: one with every optional member, one with the minimum.
    private const string Sources = """
        param sources = [
          {
            id: 'ehr-north'
            fhirBaseUrl: 'https://ehr-north.example.org/fhir'
            clientId: 'ingestion-north'
            keyId: 'north-key-1'
            algorithm: 'ES384'
            scope: 'system/Patient.read system/Observation.read'
            allowedFileHosts: [ 'files.ehr-north.example.org', 'cdn.ehr-north.example.org' ]
            level: 'group'
            groupId: 'nightly-cohort'
            types: [ 'Patient', 'Observation' ]
            typeFilters: [ 'Observation?category=laboratory' ]
            schedule: '0 0 2 * * *'
            incremental: false
            alerts: { maxRunDuration: '06:00:00', missedSlots: 3, maxVolumeDrop: '0.3', maxConceptZeroIncrease: '5' }
          }
          {
            id: 'ehr-south'
            fhirBaseUrl: 'https://ehr-south.example.org/fhir'
            clientId: 'ingestion-south'
            keyId: 'south-key-1'
            schedule: '0 30 3 * * *'
          }
        ]
        """;

    public static IReadOnlyList<string> SourceIds { get; } = ["ehr-north", "ehr-south"];

    public DeploymentSnapshot Default { get; private set; } = null!;

    public DeploymentSnapshot Isolated { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Default = await DeploymentSnapshot.CreateAsync($"param environmentName = 'ci'\n{Sources}", SourceIds);
        Isolated = await DeploymentSnapshot.CreateAsync(
            $"param environmentName = 'ci'\n{Sources}\nparam networkIsolation = true\nparam authClientId = '{AuthClientId}'\n"
            + "param actionGroupId = '/subscriptions/00000000-0000-0000-0000-0000000000bb/resourceGroups/ops/providers/Microsoft.Insights/actionGroups/oncall'",
            SourceIds);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class DeploymentsCollection : ICollectionFixture<Deployments>
{
    public const string Name = "infra deployments";
}
