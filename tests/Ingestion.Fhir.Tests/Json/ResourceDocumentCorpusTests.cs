using System.Text;
using System.Text.Json;
using Ingestion.Fhir.Json;
using Ingestion.Fhir.Tests.Validation;
using Ingestion.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Ingestion.Fhir.Tests.Json;

/// <summary>
/// Every Synthea 100-patient line and every US Core and R4 spec example reads the same through
/// <see cref="ResourceDocument"/> as through <see cref="JsonDocument"/>, which the validator and the mapper read before.
/// </summary>
[Trait("Category", TestCategories.Conformance)]
public sealed class ResourceDocumentCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void Synthea_lines_and_spec_examples_read_the_same_as_through_JsonDocument()
    {
        var resources = 0;
        foreach (var (text, where) in ExampleCorpus.SyntheaLines().Concat(ExampleCorpus.ExampleFiles().Select(f => (File.ReadAllText(f), Path.GetFileName(f)))))
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            using var expected = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 512 });
            using var actual = ResourceDocument.Parse(bytes, 512);
            var difference = DocumentComparison.FirstDifference(expected.RootElement, actual.RootElement);
            Assert.True(difference is null, $"{where}: {difference}");
            resources++;
        }
        output.WriteLine($"{resources} resources read alike");
        Assert.True(resources > 38_000, "the corpus is there");
    }
}
