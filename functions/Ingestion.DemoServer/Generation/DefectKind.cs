namespace Ingestion.DemoServer;

/// <summary>
/// Kinds of defective records the generator produces (see docs/demo-server.md for exact semantics).
/// </summary>
public enum DefectKind
{
    /// <summary>A clinical resource without its patient reference (<c>subject</c>, or <c>patient</c> for Immunization and AllergyIntolerance): unusable, quarantine.</summary>
    MissingRequiredElement,

    /// <summary>A resource whose main date/dateTime primitive is not a valid FHIR date (e.g. "2021-13-45"): unusable, quarantine.</summary>
    InvalidDate,

    /// <summary>A well-formed resource whose main code is in no vocabulary: maps to concept_id 0, not quarantined.</summary>
    UnknownCode,

    /// <summary>A line that is not JSON at all: quarantine with file and line number.</summary>
    MalformedJson,
}
