using Ingestion.Fhir.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ingestion.Fhir.Validation;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>One mutated resource and the issue a validator must raise for it.</summary>
public sealed record Mutation(string Example, string Kind, string Json, string ExpectedRuleId, string ExpectedLocation)
{
    public override string ToString() => $"{Example} {Kind} → {ExpectedRuleId} at {ExpectedLocation}";
}

/// <summary>
/// Derives mutations of a valid example from its profile's snapshot: each required element removed, a wrong code in each
/// enumerable required binding, each primitive corrupted, each fixed/pattern element and each required slice broken,
/// each typed reference pointed at a wrong type. The expectation (rule id and location) comes from the profile too.
/// </summary>
public static class MutationCorpus
{
    public static IEnumerable<Mutation> For(string example, ResourceElement resource, ProfileDefinition profile, Func<string, bool> bindingEnforced)
    {
        var type = profile.Type;
        foreach (var rule in profile.Elements.Skip(1))
        {
            // Slices are broken through their discriminators below; type slices (value[x]:valueQuantity) are plain elements.
            if (rule.Id.Replace("[x]:", "[x]/").Contains(':')) continue;
            var depth = rule.Path.Count(c => c == '.');
            if (depth > 3) continue;
            var root = JsonNode.Parse(resource.GetRawText())!.AsObject();
            if (Locate(root, type, rule) is not { } found) continue;

            if (rule.Min > 0 && !rule.Path.EndsWith("[x]", StringComparison.Ordinal))
                yield return Make(example, "remove-required", resource, type, rule, f => { f.Parent.Remove(f.Name); f.Parent.Remove("_" + f.Name); }, rule.Id + ":min", found.ParentLocation + "." + found.Name);

            var primitive = rule.Types.Count == 1 || rule.Path.EndsWith("[x]", StringComparison.Ordinal)
                ? PrimitiveKinds.FromTypeCode(found.TypeCode) : PrimitiveKind.None;
            if (primitive != PrimitiveKind.None && found.Value is JsonValue && Corrupt(primitive) is { } bad)
                yield return Make(example, "corrupt-" + found.TypeCode, resource, type, rule, f => f.Set(bad.Value), rule.Id + (bad.WrongJsonType ? ":json-type" : ":format"), found.Location);

            if (rule.Binding is { Strength: "required", ValueSet: { } vs } && bindingEnforced(rule.Id) && found.TypeCode is "code" or "Coding" or "CodeableConcept")
            {
                var bogus = found.TypeCode switch
                {
                    "code" => (JsonNode)JsonValue.Create("mutated-code")!,
                    "Coding" => new JsonObject { ["system"] = "http://example.org/mutated", ["code"] = "mutated-code" },
                    _ => new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://example.org/mutated", ["code"] = "mutated-code" }) },
                };
                yield return Make(example, "wrong-code", resource, type, rule, f => f.Set(bogus), rule.Id + ":binding", found.Location);
            }

            if (rule.Pattern is not null || rule.Fixed is not null)
            {
                var replacement = found.Value is JsonObject ? MutateCodes(found.Value.DeepClone()) : JsonValue.Create("mutated-value");
                if (replacement is not null && !JsonNode.DeepEquals(replacement, found.Value))
                    yield return Make(example, "break-" + (rule.Pattern is not null ? "pattern" : "fixed"), resource, type, rule, f => f.Set(replacement),
                        rule.Id + (rule.Pattern is not null ? ":pattern" : ":fixed"), found.Location);
            }

            if (rule.Types.Count == 1 && rule.Types[0].Code == "Reference" && rule.Types[0].TargetProfiles.Count > 0
                && found.Value is JsonObject reference && reference["reference"] is JsonValue target && target.ToString().Contains('/')
                && !rule.Types[0].TargetProfiles.Any(p => p.EndsWith("/Basic", StringComparison.Ordinal) || p.EndsWith("/Resource", StringComparison.Ordinal)))
            {
                yield return Make(example, "wrong-reference-type", resource, type, rule, f => f.Value!["reference"] = "Basic/mutated", rule.Id + ":reference-target", found.Location);
            }
        }

        // Required slices: change the discriminating codes of every item so no item matches the slice any more.
        foreach (var sliced in profile.Elements.Where(e => e.Slicing is { Discriminators.Count: > 0 } && !e.Id.Contains(':') && e.Path.Count(c => c == '.') == 1))
        {
            var slices = profile.Elements.Where(e => e.SliceName is not null && e.Id == sliced.Id + ":" + e.SliceName && e.Min > 0).ToList();
            if (slices.Count == 0 || sliced.Slicing!.Discriminators.Any(d => d.Type is not ("value" or "pattern"))) continue;
            var root = JsonNode.Parse(resource.GetRawText())!.AsObject();
            var name = sliced.Path[(sliced.Path.IndexOf('.') + 1)..];
            if (root[name] is not JsonArray items) continue;
            foreach (var item in items) MutateCodes(item!);
            foreach (var slice in slices)
                yield return new Mutation(example, "break-slice", root.ToJsonString(), slice.Id + ":min", type + "." + name);
        }
    }

    private static Mutation Make(string example, string kind, ResourceElement resource, string type, ElementRule rule, Action<Found> mutate, string ruleId, string location)
    {
        // Each mutation starts from a fresh copy of the unmodified example.
        var copy = JsonNode.Parse(resource.GetRawText())!.AsObject();
        mutate(Locate(copy, type, rule)!);
        return new Mutation(example, kind, copy.ToJsonString(), ruleId, location);
    }

    /// <summary>Sets every "code" string under the node to a value no profile uses.</summary>
    private static JsonNode MutateCodes(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (key == "code" && value is JsonValue) obj[key] = "mutated-code";
                    else if (value is not null) MutateCodes(value);
                }
                break;
            case JsonArray array:
                foreach (var item in array) if (item is not null) MutateCodes(item);
                break;
        }
        return node;
    }

    private static (JsonNode Value, bool WrongJsonType)? Corrupt(PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Boolean => (JsonValue.Create("yes")!, true),
        PrimitiveKind.Integer or PrimitiveKind.PositiveInt or PrimitiveKind.UnsignedInt => (JsonValue.Create(1.5)!, false),
        PrimitiveKind.Decimal => (JsonValue.Create("12.5")!, true),
        PrimitiveKind.Date => (JsonValue.Create("2020-13-45")!, false),
        PrimitiveKind.DateTime => (JsonValue.Create("2020-01-01T25:00:00")!, false),
        PrimitiveKind.Instant => (JsonValue.Create("2020-01-01")!, false),
        PrimitiveKind.Time => (JsonValue.Create("9:00")!, false),
        PrimitiveKind.Id => (JsonValue.Create("not an id!")!, false),
        PrimitiveKind.Code => (JsonValue.Create(" padded  code ")!, false),
        PrimitiveKind.Uri or PrimitiveKind.Url or PrimitiveKind.Canonical => (JsonValue.Create("has a space")!, false),
        PrimitiveKind.Oid => (JsonValue.Create("urn:oid:3.1")!, false),
        PrimitiveKind.Uuid => (JsonValue.Create("urn:uuid:XYZ")!, false),
        PrimitiveKind.Base64Binary => (JsonValue.Create("***")!, false),
        PrimitiveKind.String or PrimitiveKind.Markdown => (JsonValue.Create("")!, false),
        _ => null,
    };

    /// <summary>Where an element sits in the instance (first item of each array on the way), or null when absent.</summary>
    private sealed record Found(JsonObject Parent, string Name, int Index, JsonNode? Value, string TypeCode, string ParentLocation)
    {
        public string Location => ParentLocation + "." + Name + (Index >= 0 ? $"[{Index}]" : "");

        public void Set(JsonNode? value)
        {
            if (Index >= 0) Parent[Name]!.AsArray()[Index] = value?.DeepClone();
            else Parent[Name] = value?.DeepClone();
        }
    }

    private static Found? Locate(JsonObject root, string type, ElementRule rule)
    {
        var segments = rule.Path.Split('.')[1..];
        JsonObject current = root;
        var location = type;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            string name = segment;
            string typeCode = rule.Types.Count > 0 ? rule.Types[0].Code : "";
            if (segment.EndsWith("[x]", StringComparison.Ordinal) && i < segments.Length - 1)
            {
                var key = current.Select(p => p.Key).FirstOrDefault(k => k.Length > segment.Length - 3 && k.StartsWith(segment[..^3], StringComparison.Ordinal) && char.IsUpper(k[segment.Length - 3]));
                if (key is null) return null;
                name = key;
            }
            else if (segment.EndsWith("[x]", StringComparison.Ordinal))
            {
                var prefix = segment[..^3];
                var match = rule.Types.Select(t => (t.Code, Name: prefix + char.ToUpperInvariant(t.Code[0]) + t.Code[1..])).FirstOrDefault(t => current.ContainsKey(t.Name));
                if (match.Name is null) return null;
                name = match.Name;
                typeCode = match.Code;
            }
            if (!current.TryGetPropertyValue(name, out var value) || value is null) return null;
            var index = value is JsonArray ? 0 : -1;
            var item = value is JsonArray array ? (array.Count > 0 ? array[0] : null) : value;
            if (i == segments.Length - 1) return new Found(current, name, index, item, typeCode, location);
            if (item is not JsonObject next) return null;
            location += "." + name + (index >= 0 ? "[0]" : "");
            current = next;
        }
        return null;
    }
}
