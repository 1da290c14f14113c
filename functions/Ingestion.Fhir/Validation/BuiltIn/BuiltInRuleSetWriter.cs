using System.IO.Compression;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Writes the built-in rule set: compiles the covered US Core profiles and the R4 base resource definitions from a
/// package definition set, then records, in
/// our compact format, only what the validator uses of every definition reached (element ids, cardinality, types,
/// fixed/pattern values, bindings, slicing, must-support, invariant keys) and the enumerable code lists. Text,
/// descriptions and mappings of the published definitions are left out.
/// </summary>
public static class BuiltInRuleSetWriter
{
    private const string UsCore = "http://hl7.org/fhir/us/core/StructureDefinition/";

    public static void Write(DefinitionSet definitions, Stream destination)
    {
        var roots = BuiltInRuleSet.CoveredProfileIds.Select(id => UsCore + id).ToList();
        foreach (var url in roots)
        {
            if (!definitions.Profiles.ContainsKey(url)) throw new InvalidOperationException($"The package does not define {url}.");
        }
        // The base definition of every R4 resource type: a type without a US Core profile (Claim, ImagingStudy...) is
        // still validated (structure, cardinality, primitives, bindings, invariants), never merely "not covered".
        foreach (var type in FhirResourceTypes.All)
        {
            var url = "http://hl7.org/fhir/StructureDefinition/" + type;
            if (!definitions.Profiles.ContainsKey(url)) throw new InvalidOperationException($"The definitions do not include the R4 base definition of {type}.");
            roots.Add(url);
        }
        var compiler = new ProfileCompiler(definitions);
        compiler.CompileAll(roots);
        var profiles = compiler.Compiled.Keys.Order(StringComparer.Ordinal).Select(url => definitions.Profiles[url]).ToList();

        var valueSets = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            foreach (var element in profile.Elements)
            {
                if (element.Binding is { ValueSet: { } vs, Strength: "required" or "extensible" }) valueSets.Add(DefinitionSet.StripVersion(vs));
            }
        }

        using var gzip = new GZipStream(destination, CompressionLevel.SmallestSize, leaveOpen: true);
        using var writer = new Utf8JsonWriter(gzip);
        writer.WriteStartObject();
        writer.WriteString("format", BuiltInRuleSet.Format);
        writer.WriteString("source", "hl7.fhir.us.core 6.1.0 with hl7.fhir.r4.core 4.0.1 base definitions");
        writer.WriteStartArray("profiles");
        foreach (var profile in profiles) WriteProfile(writer, profile);
        writer.WriteEndArray();
        // Types of the package's other profiles, so reference targets naming them resolve to a resource type.
        writer.WriteStartObject("profileTypes");
        foreach (var (url, type) in definitions.ProfileTypes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (url.StartsWith("http://hl7.org/fhir/us/core/", StringComparison.Ordinal) && !compiler.Compiled.ContainsKey(url)) writer.WriteString(url, type);
        }
        writer.WriteEndObject();
        writer.WriteStartArray("codeLists");
        foreach (var url in valueSets)
        {
            if (definitions.ResolveCodeList(url) is not { Complete: true, Codes.Count: > 0 } list) continue;
            writer.WriteStartObject();
            writer.WriteString("url", url);
            writer.WriteStartArray("codes");
            foreach (var code in list.Codes.Distinct())
            {
                writer.WriteStartArray();
                if (code.System is null) writer.WriteNullValue(); else writer.WriteStringValue(code.System);
                writer.WriteStringValue(code.Code);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteProfile(Utf8JsonWriter writer, ProfileDefinition profile)
    {
        writer.WriteStartObject();
        writer.WriteString("url", profile.Url);
        writer.WriteString("id", profile.Id);
        writer.WriteString("type", profile.Type);
        writer.WriteString("kind", profile.Kind);
        if (profile.BaseDefinition is not null) writer.WriteString("base", profile.BaseDefinition);
        if (profile.IsConstraint) writer.WriteBoolean("constraint", true);
        writer.WriteStartArray("elements");
        foreach (var e in profile.Elements)
        {
            writer.WriteStartObject();
            writer.WriteString("id", e.Id);
            if (e.Path != e.Id) writer.WriteString("path", e.Path);
            if (e.SliceName is not null) writer.WriteString("slice", e.SliceName);
            if (e.Min != 0) writer.WriteNumber("min", e.Min);
            if (e.Max != "1") writer.WriteString("max", e.Max);
            if (e.BaseMax != e.Max) writer.WriteString("baseMax", e.BaseMax);
            if (e.Types.Count > 0)
            {
                writer.WriteStartArray("types");
                foreach (var t in e.Types)
                {
                    writer.WriteStartObject();
                    writer.WriteString("code", t.Code);
                    WriteStrings(writer, "profile", t.Profiles);
                    WriteStrings(writer, "target", t.TargetProfiles);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            if (e.Fixed is { } f)
            {
                writer.WritePropertyName("fixed");
                f.WriteTo(writer);
            }
            if (e.Pattern is { } p)
            {
                writer.WritePropertyName("pattern");
                p.WriteTo(writer);
            }
            if (e.Binding is { } b)
            {
                writer.WriteStartArray("binding");
                writer.WriteStringValue(b.Strength);
                if (b.ValueSet is null) writer.WriteNullValue(); else writer.WriteStringValue(b.ValueSet);
                writer.WriteEndArray();
            }
            if (e.Slicing is { } s)
            {
                writer.WriteStartObject("slicing");
                writer.WriteString("rules", s.Rules);
                writer.WriteStartArray("discriminator");
                foreach (var d in s.Discriminators)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(d.Type);
                    writer.WriteStringValue(d.Path);
                    writer.WriteEndArray();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            if (e.MustSupport) writer.WriteBoolean("ms", true);
            if (e.ContentReference is not null) writer.WriteString("contentReference", e.ContentReference);
            if (e.Constraints.Count > 0)
            {
                // [key, severity, expression, human, best practice?]: the invariants are evaluated from the built-in rules too.
                writer.WriteStartArray("constraints");
                foreach (var c in e.Constraints)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(c.Key);
                    writer.WriteStringValue(c.Severity);
                    if (c.Expression is null) writer.WriteNullValue(); else writer.WriteStringValue(c.Expression);
                    if (c.Human is null) writer.WriteNullValue(); else writer.WriteStringValue(c.Human);
                    if (c.BestPractice) writer.WriteBooleanValue(true);
                    writer.WriteEndArray();
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0) return;
        writer.WriteStartArray(name);
        foreach (var v in values) writer.WriteStringValue(v);
        writer.WriteEndArray();
    }
}
