namespace Ingestion.Omop;

/// <summary>The facts of a run that cdm_source records.</summary>
public sealed record CdmSourceFacts
{
    public required string SourceName { get; init; }
    public required string SourceAbbreviation { get; init; }
    public required string Holder { get; init; }
    /// <summary>The export's transactionTime: the date the source data is as of.</summary>
    public required DateOnly SourceReleaseDate { get; init; }
    /// <summary>When this CDM instance was produced (the run's date).</summary>
    public required DateOnly CdmReleaseDate { get; init; }
    public required string VocabularyVersion { get; init; }
    public string? SourceDescription { get; init; }
    public string? SourceDocumentationReference { get; init; }
    public string? EtlReference { get; init; }
}

/// <summary>Builds the single cdm_source row at fan-in.</summary>
public static class CdmSourceBuilder
{
    /// <summary>Concept 756265 "OMOP CDM Version 5.4.0".</summary>
    public const int CdmVersionConceptId = FixedConcepts.CdmVersion54;

    public static object?[] Build(CdmSourceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return
        [
            Fit(facts.SourceName, 255), Fit(facts.SourceAbbreviation, 25), Fit(facts.Holder, 255), facts.SourceDescription,
            Fit(facts.SourceDocumentationReference, 255), Fit(facts.EtlReference, 255), facts.SourceReleaseDate, facts.CdmReleaseDate,
            "5.4", CdmVersionConceptId, Fit(facts.VocabularyVersion, 20),
        ];
    }

    private static string? Fit(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
