using System.IO.Compression;
using Ingestion.Fhir.Validation;
using Ingestion.Testing;

namespace Ingestion.Fhir.Tests.Validation;

public sealed class BuiltInRuleSetTests
{
    private static string EmbeddedFile => Path.Combine(RepositoryPaths.RepositoryRoot, "functions", "Ingestion.Fhir", "Validation", "BuiltIn", "us-core-6.1.0.rules.json.gz");

    [Fact]
    [Trait("Category", TestCategories.Conformance)]
    public async Task Embedded_rule_set_is_what_the_writer_produces_from_the_US_Core_6_1_0_package()
    {
        using var reader = new FhirPackageReader();
        foreach (var path in FhirDefinitionPaths.UsCore("6.1.0")) await reader.AddAsync(path);
        using var written = new MemoryStream();
        BuiltInRuleSetWriter.Write(reader.Definitions, written);

        // INGESTION_WRITE_BUILTIN_RULES=1 regenerates the embedded file (after a writer or package change).
        if (Environment.GetEnvironmentVariable("INGESTION_WRITE_BUILTIN_RULES") == "1") await File.WriteAllBytesAsync(EmbeddedFile, written.ToArray());

        Assert.Equal(Decompress(written.ToArray()), Decompress(await File.ReadAllBytesAsync(EmbeddedFile)));
    }

    [Fact]
    public void Built_in_rules_compile_every_covered_profile_without_any_file()
    {
        var validator = UsCoreValidator.CreateBuiltIn();
        foreach (var id in BuiltInRuleSet.CoveredProfileIds)
            Assert.True(validator.HasProfile("http://hl7.org/fhir/us/core/StructureDefinition/" + id), id);
        Assert.Equal("built-in", validator.Source);
    }

    private static string Decompress(byte[] gzip)
    {
        using var stream = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var text = new StreamReader(stream);
        return text.ReadToEnd();
    }
}
