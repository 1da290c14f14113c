namespace Ingestion.Testing;

/// <summary>The package rule sources in ../shared/data: a US Core package with the R4 core definitions and terminology.</summary>
public static class FhirDefinitionPaths
{
    public static IReadOnlyList<string> UsCore(string version) =>
    [
        SharedData.PathOf("us-core", "packages", version == "7.0.0" ? "us_core_700.tgz" : "us_core_610.tgz"),
        SharedData.PathOf("fhir-r4", "definition-bundles", "profiles-types.json"),
        SharedData.PathOf("fhir-r4", "definition-bundles", "profiles-resources.json"),
        SharedData.PathOf("fhir-r4", "definition-bundles", "extension-definitions.json"),
        SharedData.PathOf("fhir-r4", "codesystems"),
        SharedData.PathOf("fhir-r4", "valuesets"),
        SharedData.PathOf("fhir-r4", "valueset-expansions"),
        SharedData.PathOf("us-core", "terminology", "external-hl7-terminology-7.0.1"),
    ];
}
