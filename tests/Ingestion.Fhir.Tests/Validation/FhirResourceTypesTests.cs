using Ingestion.Fhir.Json;
using Ingestion.Fhir.Validation;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>The type lookup by a resourceType's UTF-8 bytes answers as the lookup by its text does.</summary>
public sealed class FhirResourceTypesTests
{
    [Fact]
    public void A_resourceType_is_found_by_its_bytes_exactly_when_its_text_names_a_type()
    {
        var candidates = new List<string> { "", "A", "Patients", "patient", "PATIENT", "Observatio", "ExplanationOfBenefit2", "Obs\u00e9rvation" };
        foreach (var name in FhirResourceTypes.All)
        {
            candidates.Add(name);
            candidates.Add(name[..^1]);
            candidates.Add(name + "s");
            candidates.Add("x" + name);
            for (var i = 0; i < name.Length; i++)
            {
                // One letter away anywhere: the first and last bytes, and the middle the UTF-8 key does not hold.
                candidates.Add(string.Concat(name.AsSpan(0, i), name[i] == 'z' ? "y" : "z", name.AsSpan(i + 1)));
            }
        }
        var found = 0;
        foreach (var text in candidates)
        {
            using var document = ResourceDocument.Parse("{\"resourceType\":\"" + text + "\"}"); // raw bytes, non-ASCII included
            Assert.True(document.RootElement.TryGetProperty("resourceType", out var element));
            var byBytes = FhirResourceTypes.TryGet(element, out var typeByBytes, out var idByBytes);
            var byText = FhirResourceTypes.TryGet(text.AsSpan(), out var typeByText, out var idByText);
            Assert.Equal(byText, byBytes);
            Assert.Equal(typeByText, typeByBytes);
            Assert.Equal(idByText, idByBytes);
            if (byBytes)
            {
                Assert.Equal(text, FhirResourceTypes.All.ElementAt(idByBytes));
                found++;
            }
        }
        Assert.Equal(FhirResourceTypes.All.Count, found);
    }

    [Fact]
    public void An_escaped_resourceType_is_read_as_its_text()
    {
        using var document = ResourceDocument.Parse("""{"resourceType":"Pati\u0065nt"}""");
        Assert.True(document.RootElement.TryGetProperty("resourceType", out var element));
        Assert.True(FhirResourceTypes.TryGet(element, out var type, out var id));
        Assert.Equal("Patient", type);
        Assert.Equal("Patient", FhirResourceTypes.All.ElementAt(id));
    }
}
