using Ingestion.Fhir.Json;
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

    /// <summary>The coding chosen from a CodeableConcept, through the file's memo of repeated concepts.</summary>
    public SourceCode Resolve(ResourceElement codeableConcept, SourceCodeMemo memo) => memo.Resolve(codeableConcept, this);

    /// <summary>The coding chosen from a CodeableConcept (any kind: none unless an object with codings).</summary>
    public SourceCode ResolveCodings(ResourceElement codeableConcept)
    {
        if (codeableConcept.ValueKind != JsonValueKind.Object || !codeableConcept.TryGetProperty("coding"u8, out var codings)
            || codings.ValueKind != JsonValueKind.Array)
            return SourceCode.None;
        SourceCode fallback = SourceCode.None;
        var haveFallback = false;
        foreach (var coding in codings.EnumerateArray())
        {
            var candidate = Resolve(FhirJson.SystemUri(FhirJson.Member(coding, "system"u8)), FhirJson.String(coding, "code"u8));
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
            var source = new SourceCode(vocabularyId, code, Fit(code), known, concept);
            return known ? WithTargets(source) : source;
        }
        // A system OMOP has no vocabulary for: qualify the code so it cannot be confused with another system's.
        var qualified = system is null ? code : system + "|" + code;
        return new SourceCode(system ?? "(none)", code, qualified.Length <= SourceValueLength ? qualified : Fit(code), false, default);
    }

    /// <summary>A known code with what its rows read: the standard concepts' count and first, the "Maps to value".</summary>
    private SourceCode WithTargets(SourceCode code)
    {
        var mapsTo = vocabulary.TargetCount(code.Concept, ConceptRelationship.MapsTo);
        var count = mapsTo > 0 ? mapsTo : code.Concept.IsStandard ? 1 : 0;
        return code with
        {
            StandardCount = count,
            FirstStandard = count == 0 ? default : mapsTo > 0 ? vocabulary.Target(code.Concept, ConceptRelationship.MapsTo, 0) : code.Concept,
            MapsToValueId = vocabulary.TargetCount(code.Concept, ConceptRelationship.MapsToValue) > 0
                ? vocabulary.Target(code.Concept, ConceptRelationship.MapsToValue, 0).ConceptId
                : 0,
        };
    }

    /// <summary>How many standard concepts the code maps to: its "Maps to" targets, or itself when it is standard
    /// and has none. 0 means unmapped.</summary>
    public static int StandardCount(in SourceCode code) => code.StandardCount;

    /// <summary>The index-th of them (index below <see cref="StandardCount"/>).</summary>
    public Concept Standard(in SourceCode code, int index) =>
        index == 0 ? code.FirstStandard : vocabulary.Target(code.Concept, ConceptRelationship.MapsTo, index);

    /// <summary>The first "Maps to value" target (e.g. the finding of a "history of" code), or 0.</summary>
    public static int MapsToValue(in SourceCode code) => code.MapsToValueId;

    /// <summary>The first standard concept id, or 0 (for values, units and routes, where one concept is stored).</summary>
    public static int FirstStandardId(in SourceCode code) => code.StandardCount > 0 ? code.FirstStandard.ConceptId : 0;

    private static string Fit(string value) => value.Length <= SourceValueLength ? value : value[..SourceValueLength];
}
