using Ingestion.Fhir.Json;
using System.IO.Compression;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// The embedded US Core 6.1.0 rule set (our compact rule format, see <see cref="BuiltInRuleSetWriter"/>): every US Core
/// resource profile, the base R4 definition of every resource type (for types no US Core profile covers: Claim,
/// ExplanationOfBenefit, ImagingStudy, SupplyDelivery...), the extensions and data types they use, and the code lists
/// of their enumerable bindings.
/// Loaded when no package is configured, so the validator works on a machine without any FHIR package.
/// </summary>
public static class BuiltInRuleSet
{
    public const string ResourceName = "Ingestion.Fhir.Validation.BuiltIn.us-core-6.1.0.rules.json.gz";
    public const string Format = "ingestion-us-core-rules/1";

    /// <summary>US Core 6.1.0 profile ids the built-in rules cover: all 49 resource profiles of the package (issues #4, #16).</summary>
    public static IReadOnlyList<string> CoveredProfileIds { get; } =
    [
        "us-core-patient", "us-core-encounter", "us-core-condition-encounter-diagnosis", "us-core-condition-problems-health-concerns",
        "us-core-observation-lab", "us-core-vital-signs", "us-core-blood-pressure", "us-core-bmi", "us-core-heart-rate",
        "us-core-respiratory-rate", "us-core-body-temperature", "us-core-body-weight", "us-core-body-height", "us-core-pulse-oximetry",
        "us-core-head-circumference", "pediatric-bmi-for-age", "pediatric-weight-for-height", "head-occipital-frontal-circumference-percentile",
        "us-core-smokingstatus", "us-core-observation-clinical-result", "us-core-observation-occupation", "us-core-observation-pregnancyintent",
        "us-core-observation-pregnancystatus", "us-core-observation-screening-assessment", "us-core-observation-sexual-orientation",
        "us-core-simple-observation", "us-core-medicationrequest", "us-core-medicationdispense", "us-core-medication", "us-core-procedure",
        "us-core-immunization", "us-core-allergyintolerance", "us-core-diagnosticreport-lab", "us-core-diagnosticreport-note",
        "us-core-documentreference", "us-core-practitioner", "us-core-practitionerrole", "us-core-organization", "us-core-location",
        "us-core-careplan", "us-core-careteam", "us-core-goal", "us-core-implantable-device", "us-core-coverage", "us-core-provenance",
        "us-core-questionnaireresponse", "us-core-relatedperson", "us-core-servicerequest", "us-core-specimen",
    ];

    public static DefinitionSet Load()
    {
        using var stream = typeof(BuiltInRuleSet).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded rule set {ResourceName} is missing from the assembly.");
        return Read(stream);
    }

    /// <summary>Reads a gzip-compressed rule file.</summary>
    public static DefinitionSet Read(Stream gzipStream)
    {
        using var gzip = new GZipStream(gzipStream, CompressionMode.Decompress);
        using var document = ResourceDocument.Parse(gzip);
        var root = document.RootElement;
        if (root.GetProperty("format").GetString() != Format) throw new InvalidDataException("Unknown rule set format.");
        var set = new DefinitionSet();
        foreach (var p in root.GetProperty("profiles").EnumerateArray()) set.AddProfile(ReadProfile(p));
        foreach (var profileType in root.GetProperty("profileTypes").EnumerateObject()) set.AddProfileType(profileType.Name, profileType.Value.GetString()!);
        foreach (var list in root.GetProperty("codeLists").EnumerateArray())
        {
            var codes = list.GetProperty("codes").EnumerateArray()
                .Select(c => new CodeEntry(c[0].ValueKind == JsonValueKind.Null ? null : c[0].GetString(), c[1].GetString()!))
                .ToArray();
            set.AddCodeList(new CodeListDefinition(list.GetProperty("url").GetString()!, codes, Complete: true));
        }
        return set;
    }

    private static ProfileDefinition ReadProfile(ResourceElement p)
    {
        var type = p.GetProperty("type").GetString()!;
        var elements = p.GetProperty("elements").EnumerateArray().Select(ReadElement).ToArray();
        return new ProfileDefinition(
            p.GetProperty("url").GetString()!,
            p.GetProperty("id").GetString()!,
            type,
            p.GetProperty("kind").GetString()!,
            Optional(p, "base"),
            p.TryGetProperty("constraint", out _),
            elements);
    }

    private static ElementRule ReadElement(ResourceElement e)
    {
        var id = e.GetProperty("id").GetString()!;
        var max = Optional(e, "max") ?? "1";
        var types = e.TryGetProperty("types", out var ts)
            ? ts.EnumerateArray().Select(t => new TypeRule(t.GetProperty("code").GetString()!, Strings(t, "profile"), Strings(t, "target"))).ToArray()
            : [];
        BindingRule? binding = e.TryGetProperty("binding", out var b) ? new BindingRule(b[0].GetString()!, b[1].GetString()) : null;
        SlicingRule? slicing = e.TryGetProperty("slicing", out var s)
            ? new SlicingRule(s.GetProperty("discriminator").EnumerateArray().Select(d => new DiscriminatorRule(d[0].GetString()!, d[1].GetString()!)).ToArray(), s.GetProperty("rules").GetString()!)
            : null;
        return new ElementRule(
            id,
            Optional(e, "path") ?? id,
            Optional(e, "slice"),
            e.TryGetProperty("min", out var min) ? min.GetInt32() : 0,
            max,
            Optional(e, "baseMax") ?? max,
            types,
            e.TryGetProperty("fixed", out var f) ? f.Clone() : null,
            e.TryGetProperty("pattern", out var pattern) ? pattern.Clone() : null,
            binding,
            slicing,
            e.TryGetProperty("ms", out _),
            Optional(e, "contentReference"),
            e.TryGetProperty("constraints", out var cs)
                ? cs.EnumerateArray().Select(c => new ConstraintRule(c[0].GetString()!, c[1].GetString()!, c[2].GetString(), c[3].GetString(), c.GetArrayLength() > 4 && c[4].GetBoolean())).ToArray()
                : []);
    }

    private static string? Optional(ResourceElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static IReadOnlyList<string> Strings(ResourceElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.EnumerateArray().Select(x => x.GetString()!).ToArray() : [];
}
