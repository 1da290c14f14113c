using System.Text.Json;

namespace Ingestion.Infra.Tests.Templates;

/// <summary>
/// A compiled ARM template (or a module's nested template) read as data: its resources in either layout
/// (languageVersion 2.0 keys them by symbolic name, older templates list them), its nested module deployments,
/// variables and parameters.
/// </summary>
public sealed record ArmTemplate(JsonElement Root)
{
    public IEnumerable<JsonElement> Resources =>
        !Root.TryGetProperty("resources", out var resources) ? []
        : resources.ValueKind == JsonValueKind.Object ? resources.EnumerateObject().Select(p => p.Value)
        : resources.EnumerateArray();

    public IEnumerable<JsonElement> ResourcesOfType(string type) =>
        Resources.Where(r => string.Equals(r.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase));

    /// <summary>Module deployments declared here, by deployment name (e.g. "host-storage").</summary>
    public IEnumerable<ModuleDeployment> Modules =>
        ResourcesOfType("Microsoft.Resources/deployments").Select(d => new ModuleDeployment(
            d.GetProperty("name").GetString()!,
            d.GetProperty("properties").GetProperty("parameters"),
            new ArmTemplate(d.GetProperty("properties").GetProperty("template"))));

    public ModuleDeployment Module(string deploymentName) =>
        Modules.SingleOrDefault(m => m.Name == deploymentName)
        ?? throw new InvalidOperationException($"no module deployment named '{deploymentName}'");

    /// <summary>This template and every nested template below it.</summary>
    public IEnumerable<ArmTemplate> SelfAndDescendants =>
        new[] { this }.Concat(Modules.SelectMany(m => m.Template.SelfAndDescendants));

    public JsonElement Variable(string name) => Root.GetProperty("variables").GetProperty(name);

    public bool TryGetVariable(string name, out JsonElement value)
    {
        value = default;
        return Root.TryGetProperty("variables", out var variables) && variables.TryGetProperty(name, out value);
    }
}

/// <summary>A module as main.bicep calls it: the parameter values it passes and the module's template.</summary>
public sealed record ModuleDeployment(string Name, JsonElement Parameters, ArmTemplate Template)
{
    /// <summary>The value expression main.bicep passes for a parameter (absent: the module's default applies).</summary>
    public JsonElement? Parameter(string name) =>
        Parameters.TryGetProperty(name, out var p) && p.TryGetProperty("value", out var v) ? v : null;
}
