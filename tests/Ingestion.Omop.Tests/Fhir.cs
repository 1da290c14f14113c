using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop.Tests;

/// <summary>Parses a hand-written FHIR resource for a test.</summary>
internal static class Fhir
{
    public static ResourceElement Parse(string json)
    {
        using var document = ResourceDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
