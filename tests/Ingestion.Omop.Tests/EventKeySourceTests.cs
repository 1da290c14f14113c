using Ingestion.Privacy;

namespace Ingestion.Omop.Tests;

/// <summary>
/// A row key composed as UTF-8 from the resource's id value is the key of the documented text
/// (<c>Type/id[#component/i][#map/k]</c>) as a string, for plain, non-ASCII, escaped and over-long ids.
/// </summary>
public class EventKeySourceTests
{
    private static readonly KeyedDeidentifier Keyed = new(new DeidentificationOptions { Key = DeidentificationKey.Ephemeral() });

    [Theory]
    [InlineData("8a3f0c2e-1b2d-4c5e-9f00-123456789abc", "8a3f0c2e-1b2d-4c5e-9f00-123456789abc")]
    [InlineData("é-ü-😀", "é-ü-😀")]
    [InlineData(@"a\u00e9\/b", "aé/b")] // escaped in the JSON: the string it stands for
    public void A_key_from_the_id_value_is_the_key_of_its_text(string json, string id)
    {
        var idValue = Fhir.Parse($$"""{"id":"{{json}}"}""").GetProperty("id"u8);
        foreach (var (component, map, suffix) in new[] { (-1, 0, ""), (2, 0, "#component/2"), (-1, 3, "#map/3"), (11, 1, "#component/11#map/1") })
        {
            var fromValue = new EventKeySource("Observation", idValue) { Component = component };
            var fromString = new EventKeySource("Observation", id) { Component = component };
            var expected = Keyed.PseudonymousId(OmopKeyDomain.Measurement, "Observation/" + id + suffix);
            Assert.Equal(expected, fromValue.Derive(Keyed, OmopKeyDomain.Measurement, map));
            Assert.Equal(expected, fromString.Derive(Keyed, OmopKeyDomain.Measurement, map));
        }
    }

    [Fact]
    public void A_key_of_an_id_longer_than_the_stack_text_is_the_key_of_its_text()
    {
        var id = new string('é', 300);
        var idValue = Fhir.Parse($$"""{"id":"{{id}}"}""").GetProperty("id"u8);
        var expected = Keyed.PseudonymousId(OmopKeyDomain.Observation, "Observation/" + id + "#component/0#map/2");
        Assert.Equal(expected, new EventKeySource("Observation", idValue) { Component = 0 }.Derive(Keyed, OmopKeyDomain.Observation, 2));
        Assert.Equal(expected, new EventKeySource("Observation", id) { Component = 0 }.Derive(Keyed, OmopKeyDomain.Observation, 2));
    }
}
