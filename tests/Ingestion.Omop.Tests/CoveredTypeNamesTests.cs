using System.Text;

namespace Ingestion.Omop.Tests;

public class CoveredTypeNamesTests
{
    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var name in Enum.GetNames<CoveredType>())
        {
            names.Add(name);
            names.Add(name.ToLowerInvariant());
            names.Add(name[..^1]);
            names.Add(name + "s");
            names.Add(name[..^1] + "X");
        }
        foreach (var other in new[] { "", "Coverage", "CarePlan", "Patient ", "ExplanationOfBenefitX", "ÉObservation" }) names.Add(other);
        return names;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_type_is_matched_by_its_UTF8_and_by_its_text_exactly_as_the_enum_names_it(string text)
    {
        CoveredType? expected = Enum.GetNames<CoveredType>().Contains(text, StringComparer.Ordinal) ? Enum.Parse<CoveredType>(text) : null;

        Assert.Equal(expected, CoveredTypeNames.Match(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(expected, CoveredTypeNames.Match(text));
        if (expected is { } named) Assert.Equal(text, CoveredTypeNames.Name(named));
    }
}
