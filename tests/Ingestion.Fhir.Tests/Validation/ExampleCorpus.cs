using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;
using Ingestion.Testing;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>The spec examples, Synthea lines and the resources nested in Bundles, for the tests that compare a native check with its FHIRPath form.</summary>
internal static class ExampleCorpus
{
    /// <summary>Every US Core and R4 spec example file, in path order.</summary>
    public static IEnumerable<string> ExampleFiles() =>
        Directory.GetFiles(SharedData.PathOf("us-core", "examples"), "*.json", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(SharedData.PathOf("fhir-r4", "examples"), "*.json")).Order(StringComparer.Ordinal);

    /// <summary>Lines of every Synthea 100-patient file (the first <paramref name="perFile"/> of each when given), with "File.ndjson:line".</summary>
    public static IEnumerable<(string Text, string Where)> SyntheaLines(int perFile = int.MaxValue)
    {
        foreach (var file in Directory.GetFiles(SharedData.PathOf("synthea", "100-patients"), "*.ndjson").Order(StringComparer.Ordinal))
        {
            var line = 0;
            foreach (var text in File.ReadLines(file).Take(perFile)) yield return (text, $"{Path.GetFileName(file)}:{++line}");
        }
    }

    /// <summary>The resource, then each resource of its Bundle entries (and theirs), named by where they sit.</summary>
    public static IEnumerable<(FhirPathElement Resource, string Where)> WithBundleEntries(FhirPathModel model, FhirPathElement resource, string where)
    {
        yield return (resource, where);
        if (resource.Type != "Bundle" || !resource.Value.TryGetProperty("entry"u8, out var entries) || entries.ValueKind != JsonValueKind.Array) yield break;
        foreach (var entry in entries.EnumerateArray())
        {
            if (!entry.TryGetProperty("resource"u8, out var nested)) continue;
            foreach (var item in WithBundleEntries(model, model.Resource(nested, resource, "resource"), where + " entry")) yield return item;
        }
    }
}
