using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// Turns FHIR codings into source concepts and their standard targets through the vocabulary. Picks, among a
/// CodeableConcept's codings, the first the vocabulary knows, else the first with a known system, else the first.
/// </summary>
internal sealed class ConceptResolver(IVocabulary vocabulary)
{
    private const int SourceValueLength = 50;

    public IVocabulary Vocabulary => vocabulary;

    /// <summary>The coding chosen from a CodeableConcept; each coding through the file's memo of repeated codings.</summary>
    public SourceCode Resolve(JsonElement codeableConcept, SourceCodeMemo codings)
    {
        if (codeableConcept.ValueKind != JsonValueKind.Object || !codeableConcept.TryGetProperty("coding"u8, out var codingArray)
            || codingArray.ValueKind != JsonValueKind.Array)
            return SourceCode.None;
        SourceCode fallback = SourceCode.None;
        var haveFallback = false;
        foreach (var coding in codingArray.EnumerateArray())
        {
            var candidate = codings.Resolve(FhirJson.Member(coding, "system"u8), FhirJson.Member(coding, "code"u8), this);
            if (candidate.Code is null) continue;
            if (candidate.Known) return candidate;
            if (!haveFallback || (fallback.ReportVocabulary.Contains(':') && !candidate.ReportVocabulary.Contains(':')))
            {
                fallback = candidate;
                haveFallback = true;
            }
        }
        return fallback;
    }

    public SourceCode Resolve(string? system, string? code)
    {
        if (string.IsNullOrEmpty(code)) return SourceCode.None;
        var vocabularyId = system is null ? null : vocabulary.VocabularyIdForSystem(system);
        if (vocabularyId is not null)
        {
            var known = vocabulary.TryGetSourceConcept(vocabularyId, code, out var concept);
            return new SourceCode(vocabularyId, code, Fit(code), known, concept);
        }
        // A system OMOP has no vocabulary for: qualify the code so it cannot be confused with another system's.
        var qualified = system is null ? code : system + "|" + code;
        return new SourceCode(system ?? "(none)", code, qualified.Length <= SourceValueLength ? qualified : Fit(code), false, default);
    }

    /// <summary>How many standard concepts the code maps to: its "Maps to" targets, or itself when it is standard
    /// and has none. 0 means unmapped.</summary>
    public int StandardCount(in SourceCode code)
    {
        if (!code.Known) return 0;
        var n = vocabulary.TargetCount(code.Concept, ConceptRelationship.MapsTo);
        return n > 0 ? n : code.Concept.IsStandard ? 1 : 0;
    }

    public Concept Standard(in SourceCode code, int index) =>
        vocabulary.TargetCount(code.Concept, ConceptRelationship.MapsTo) > 0
            ? vocabulary.Target(code.Concept, ConceptRelationship.MapsTo, index)
            : code.Concept;

    /// <summary>The first "Maps to value" target (e.g. the finding of a "history of" code), or 0.</summary>
    public int MapsToValue(in SourceCode code) =>
        code.Known && vocabulary.TargetCount(code.Concept, ConceptRelationship.MapsToValue) > 0
            ? vocabulary.Target(code.Concept, ConceptRelationship.MapsToValue, 0).ConceptId
            : 0;

    /// <summary>The first standard concept id, or 0 (for values, units and routes, where one concept is stored).</summary>
    public int FirstStandardId(in SourceCode code) => StandardCount(code) > 0 ? Standard(code, 0).ConceptId : 0;

    private static string Fit(string value) => value.Length <= SourceValueLength ? value : value[..SourceValueLength];
}
