using System.Xml.Linq;

namespace Ingestion.Fhir.Tests.Validation.FhirPath;

/// <summary>One test of the official FHIRPath R4 suite (tests-fhir-r4.xml).</summary>
public sealed record FhirPathSuiteCase(
    string Group,
    string Name,
    string? InputFile,
    string Expression,
    string? Invalid,
    bool Predicate,
    bool Ordered,
    string? Version,
    IReadOnlyList<(string? Type, string Value)> Outputs)
{
    public static IReadOnlyList<FhirPathSuiteCase> Load(string path)
    {
        var cases = new List<FhirPathSuiteCase>();
        foreach (var group in XDocument.Load(path).Root!.Elements("group"))
        {
            foreach (var test in group.Elements("test"))
            {
                var expression = test.Element("expression")!;
                cases.Add(new FhirPathSuiteCase(
                    (string)group.Attribute("name")!,
                    (string)test.Attribute("name")!,
                    (string?)test.Attribute("inputfile"),
                    expression.Value,
                    (string?)expression.Attribute("invalid"),
                    (string?)test.Attribute("predicate") == "true",
                    (string?)test.Attribute("ordered") != "false",
                    (string?)test.Attribute("version"),
                    test.Elements("output").Select(o => ((string?)o.Attribute("type"), o.Value)).ToList()));
            }
        }
        return cases;
    }
}
