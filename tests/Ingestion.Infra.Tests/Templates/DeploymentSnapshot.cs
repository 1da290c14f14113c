using System.Text.Json;
using Ingestion.Testing;

namespace Ingestion.Infra.Tests.Templates;

/// <summary>
/// infra/main.bicep evaluated for one set of parameters (<c>bicep snapshot</c>): the resources a deployment would
/// create, read as data. Values that exist only after deployment (a principal id, an endpoint) stay ARM expressions.
/// </summary>
public sealed class DeploymentSnapshot
{
    private readonly JsonDocument document;

    private DeploymentSnapshot(JsonDocument document, IReadOnlyList<string> sourceIds)
    {
        this.document = document;
        SourceIds = sourceIds;
    }

    public static string InfraDirectory => Path.Combine(RepositoryPaths.RepositoryRoot, "infra");

    public DeploymentTarget Target => DeploymentTarget.Test;

    /// <summary>Ids of the sources the parameters declared.</summary>
    public IReadOnlyList<string> SourceIds { get; }

    public IEnumerable<JsonElement> Resources => document.RootElement.GetProperty("predictedResources").EnumerateArray();

    public string Text => document.RootElement.GetRawText();

    public IEnumerable<JsonElement> OfType(string type) =>
        Resources.Where(r => string.Equals(r.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase));

    public JsonElement Single(string type) => OfType(type).Single();

    /// <summary>
    /// The resource id of a resource in the test resource group: "Microsoft.ServiceBus/namespaces/topics" named
    /// "sb/runs" is …/providers/Microsoft.ServiceBus/namespaces/sb/topics/runs.
    /// </summary>
    public string IdOf(string type, string name)
    {
        var typeParts = type.Split('/');
        var nameParts = name.Split('/');
        var path = string.Join('/', typeParts.Skip(1).Zip(nameParts, (t, n) => $"{t}/{n}"));
        return $"{Target.ResourceGroupId}/providers/{typeParts[0]}/{path}";
    }

    public string NameOf(string type, Func<string, bool> predicate) =>
        OfType(type).Select(r => r.GetProperty("name").GetString()!).Single(predicate);

    /// <summary>The app settings the deployment writes (name → value).</summary>
    public IReadOnlyDictionary<string, string> AppSettings =>
        OfType("Microsoft.Web/sites/config")
            .Single(c => c.GetProperty("name").GetString()!.EndsWith("/appsettings", StringComparison.Ordinal))
            .GetProperty("properties").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString()!);

    /// <summary>Compiles and evaluates main.bicep with <paramref name="parameters"/> (Bicep parameter assignments).</summary>
    public static async Task<DeploymentSnapshot> CreateAsync(string parameters, IReadOnlyList<string> sourceIds)
    {
        var directory = Directory.CreateTempSubdirectory("infra-snapshot-");
        try
        {
            var file = Path.Combine(directory.FullName, "test.bicepparam");
            // A parameters file must name its template with a relative path.
            var template = Path.GetRelativePath(directory.FullName, Path.Combine(InfraDirectory, "main.bicep")).Replace('\\', '/');
            await File.WriteAllTextAsync(file, $"using '{template}'\n{parameters}\n");
            return new DeploymentSnapshot(await BicepCli.SnapshotAsync(file, DeploymentTarget.Test), sourceIds);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
