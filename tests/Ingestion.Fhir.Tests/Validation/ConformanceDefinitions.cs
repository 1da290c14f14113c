using Ingestion.Fhir.Validation;
using Ingestion.Testing;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>The package rule sources for conformance tests: US Core 6.1.0 / 7.0.0 with the R4 core definitions and terminology.</summary>
public static class ConformanceDefinitions
{
    public static IReadOnlyList<string> Paths(string usCoreVersion) =>
    [
        SharedData.PathOf("us-core", "packages", usCoreVersion == "7.0.0" ? "us_core_700.tgz" : "us_core_610.tgz"),
        SharedData.PathOf("fhir-r4", "definition-bundles", "profiles-types.json"),
        SharedData.PathOf("fhir-r4", "definition-bundles", "profiles-resources.json"),
        SharedData.PathOf("fhir-r4", "definition-bundles", "extension-definitions.json"),
        SharedData.PathOf("fhir-r4", "codesystems"),
        SharedData.PathOf("fhir-r4", "valuesets"),
        SharedData.PathOf("fhir-r4", "valueset-expansions"),
        SharedData.PathOf("us-core", "terminology", "external-hl7-terminology-7.0.1"),
    ];
}

/// <summary>Compiles each package validator once for all tests of the collection (loading the R4 definitions takes seconds).</summary>
public sealed class PackageValidatorFixture
{
    private readonly Dictionary<string, Lazy<Task<UsCoreValidator>>> _validators = new()
    {
        ["6.1.0"] = new(() => UsCoreValidator.FromPackagesAsync(ConformanceDefinitions.Paths("6.1.0"), new UsCoreValidatorOptions { ReportMustSupport = false })),
        ["7.0.0"] = new(() => UsCoreValidator.FromPackagesAsync(ConformanceDefinitions.Paths("7.0.0"), new UsCoreValidatorOptions { ReportMustSupport = false })),
        ["base"] = new(() => UsCoreValidator.FromPackagesAsync(ConformanceDefinitions.Paths("6.1.0").Skip(1), new UsCoreValidatorOptions { ReportMustSupport = false, RequireSubject = false })),
    };

    public Task<UsCoreValidator> For(string version) => _validators[version].Value;
}

[CollectionDefinition(Name)]
public sealed class PackageValidatorCollection : ICollectionFixture<PackageValidatorFixture>
{
    public const string Name = "package validators";
}
