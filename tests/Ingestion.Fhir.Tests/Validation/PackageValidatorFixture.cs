using Ingestion.Fhir.Validation;
using Ingestion.Testing;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>Compiles each package validator once for all tests of the collection (loading the R4 definitions takes seconds).</summary>
public sealed class PackageValidatorFixture
{
    private readonly Dictionary<string, Lazy<Task<UsCoreValidator>>> _validators = new()
    {
        ["6.1.0"] = new(() => UsCoreValidator.FromPackagesAsync(FhirDefinitionPaths.UsCore("6.1.0"), new UsCoreValidatorOptions { ReportMustSupport = false })),
        ["7.0.0"] = new(() => UsCoreValidator.FromPackagesAsync(FhirDefinitionPaths.UsCore("7.0.0"), new UsCoreValidatorOptions { ReportMustSupport = false })),
        ["6.1.0-best-practice"] = new(() => UsCoreValidator.FromPackagesAsync(FhirDefinitionPaths.UsCore("6.1.0"), new UsCoreValidatorOptions { ReportMustSupport = false, ReportBestPractice = true })),
        ["base"] = new(() => UsCoreValidator.FromPackagesAsync(FhirDefinitionPaths.UsCore("6.1.0").Skip(1), new UsCoreValidatorOptions { ReportMustSupport = false, RequireSubject = false })),
    };

    public Task<UsCoreValidator> For(string version) => _validators[version].Value;
}

[CollectionDefinition(Name)]
public sealed class PackageValidatorCollection : ICollectionFixture<PackageValidatorFixture>
{
    public const string Name = "package validators";
}
