using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// The conformance resources a validator is compiled from: profiles by canonical URL and code lists for value sets.
/// Value sets are enumerated on demand (expansion when present, otherwise simple <c>compose.include</c> lists or whole
/// complete code systems); filters and unknown code systems make a list incomplete, and an incomplete list is not enforced.
/// </summary>
public sealed class DefinitionSet
{
    private readonly Dictionary<string, ProfileDefinition> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceElement> _valueSets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceElement> _codeSystems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CodeListDefinition> _codeLists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CodeListDefinition?> _resolved = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, ProfileDefinition> Profiles => _profiles;

    /// <summary>Code lists given directly (the built-in rule set ships these instead of ValueSet resources).</summary>
    public IReadOnlyDictionary<string, CodeListDefinition> CodeLists => _codeLists;

    private readonly Dictionary<string, string> _profileTypes = new(StringComparer.Ordinal);

    public void AddProfile(ProfileDefinition profile)
    {
        _profiles[profile.Url] = profile;
        _profileTypes[profile.Url] = profile.Type;
    }

    /// <summary>Records the type a profile constrains without its rules (reference targets name profiles).</summary>
    public void AddProfileType(string url, string type) => _profileTypes.TryAdd(url, type);

    /// <summary>Profile canonical URL → the resource or data type it constrains.</summary>
    public IReadOnlyDictionary<string, string> ProfileTypes => _profileTypes;

    /// <summary>True when a ValueSet resource or a code list for this canonical URL has been added.</summary>
    public bool HasValueSet(string valueSetUrl)
    {
        var url = StripVersion(valueSetUrl);
        return _valueSets.ContainsKey(url) || _codeLists.ContainsKey(url);
    }

    public void AddCodeList(CodeListDefinition list) => _codeLists[StripVersion(list.ValueSetUrl)] = list;

    /// <summary>Adds a StructureDefinition, ValueSet or CodeSystem (other resources are ignored). The element must outlive this set.</summary>
    public void AddResource(ResourceElement resource)
    {
        if (!resource.TryGetProperty("resourceType", out var typeElement)) return;
        var type = typeElement.GetString();
        if (type == "Bundle")
        {
            if (!resource.TryGetProperty("entry", out var entries)) return;
            foreach (var entry in entries.EnumerateArray())
            {
                if (entry.TryGetProperty("resource", out var inner)) AddResource(inner);
            }
            return;
        }
        if (!resource.TryGetProperty("url", out var urlElement) || urlElement.GetString() is not { } url) return;
        switch (type)
        {
            case "StructureDefinition":
                if (StructureDefinitionReader.Read(resource) is { } profile) AddProfile(profile);
                break;
            case "ValueSet":
                // Prefer a copy that carries an expansion (the expansions package) over a compose-only one.
                if (!_valueSets.TryGetValue(url, out var existing) || !existing.TryGetProperty("expansion", out _)) _valueSets[url] = resource;
                break;
            case "CodeSystem":
                _codeSystems[url] = resource;
                break;
        }
    }

    public static string StripVersion(string canonical)
    {
        var bar = canonical.IndexOf('|');
        return bar < 0 ? canonical : canonical[..bar];
    }

    /// <summary>The codes of a value set, or null when they cannot be enumerated here.</summary>
    public CodeListDefinition? ResolveCodeList(string valueSetUrl)
    {
        var url = StripVersion(valueSetUrl);
        if (_resolved.TryGetValue(url, out var cached)) return cached;
        _resolved[url] = null; // guards against include cycles
        CodeListDefinition? result;
        if (_codeLists.TryGetValue(url, out var direct)) result = direct;
        else if (_valueSets.TryGetValue(url, out var valueSet)) result = Enumerate(url, valueSet);
        else result = null;
        _resolved[url] = result;
        return result;
    }

    private CodeListDefinition? Enumerate(string url, ResourceElement valueSet)
    {
        var codes = new List<CodeEntry>();
        if (valueSet.TryGetProperty("expansion", out var expansion) && expansion.TryGetProperty("contains", out var contains))
        {
            AddContains(contains, codes);
            // A truncated expansion (R4 marks observation-codes, clinical-findings, body-site... as too costly to
            // expand: their first 1,000 codes) is not the value set: valid codes beyond it would be "not in the value
            // set". Only a whole expansion is used; otherwise the compose decides (usually: not enumerable here).
            if (!IsTruncated(expansion, codes.Count)) return new CodeListDefinition(url, codes, true);
            codes.Clear();
        }
        if (!valueSet.TryGetProperty("compose", out var compose) || !compose.TryGetProperty("include", out var includes)) return null;
        var complete = true;
        foreach (var include in includes.EnumerateArray())
        {
            if (include.TryGetProperty("filter", out _)) complete = false;
            var system = include.TryGetProperty("system", out var s) ? s.GetString() : null;
            if (include.TryGetProperty("concept", out var concepts))
            {
                foreach (var concept in concepts.EnumerateArray()) codes.Add(new CodeEntry(system, concept.GetProperty("code").GetString()!));
            }
            else if (system is not null && !include.TryGetProperty("filter", out _))
            {
                if (_codeSystems.TryGetValue(system, out var codeSystem) && IsComplete(codeSystem) && codeSystem.TryGetProperty("concept", out var all))
                    AddConcepts(system, all, codes);
                else complete = false;
            }
            if (include.TryGetProperty("valueSet", out var nested))
            {
                foreach (var reference in nested.EnumerateArray())
                {
                    var list = ResolveCodeList(reference.GetString()!);
                    if (list is null) complete = false;
                    else
                    {
                        codes.AddRange(list.Codes);
                        complete &= list.Complete;
                    }
                }
            }
        }
        return new CodeListDefinition(url, codes, complete);
    }

    private const string TooCostly = "http://hl7.org/fhir/StructureDefinition/valueset-toocostly";
    private const string Unclosed = "http://hl7.org/fhir/StructureDefinition/valueset-unclosed";

    /// <summary>An expansion marked too costly or unclosed, or with fewer codes than its total.</summary>
    private static bool IsTruncated(ResourceElement expansion, int codes)
    {
        if (expansion.TryGetProperty("total", out var total) && total.ValueKind == JsonValueKind.Number && total.GetInt64() > codes) return true;
        if (!expansion.TryGetProperty("extension", out var extensions) || extensions.ValueKind != JsonValueKind.Array) return false;
        foreach (var extension in extensions.EnumerateArray())
        {
            if (extension.TryGetProperty("url", out var u) && (u.ValueEquals(TooCostly) || u.ValueEquals(Unclosed))
                && extension.TryGetProperty("valueBoolean", out var flag) && flag.ValueKind == JsonValueKind.True) return true;
        }
        return false;
    }

    private static bool IsComplete(ResourceElement codeSystem) =>
        !codeSystem.TryGetProperty("content", out var content) || content.GetString() == "complete";

    private static void AddContains(ResourceElement contains, List<CodeEntry> codes)
    {
        foreach (var item in contains.EnumerateArray())
        {
            if (item.TryGetProperty("code", out var code))
                codes.Add(new CodeEntry(item.TryGetProperty("system", out var s) ? s.GetString() : null, code.GetString()!));
            if (item.TryGetProperty("contains", out var nested)) AddContains(nested, codes);
        }
    }

    private static void AddConcepts(string system, ResourceElement concepts, List<CodeEntry> codes)
    {
        foreach (var concept in concepts.EnumerateArray())
        {
            codes.Add(new CodeEntry(system, concept.GetProperty("code").GetString()!));
            if (concept.TryGetProperty("concept", out var children)) AddConcepts(system, children, codes);
        }
    }
}
