using System.Text.Json;

namespace Ingestion.Omop.Tests;

/// <summary>Parses a hand-written FHIR resource for a test.</summary>
internal static class Fhir
{
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
