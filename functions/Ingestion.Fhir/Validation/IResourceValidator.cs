using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Validates one parsed FHIR R4 resource against its profile(s). Never throws for bad content: every problem
/// becomes an issue. Thread-safe; compiled once, shared by all activities.
/// </summary>
public interface IResourceValidator
{
    ValidationResult Validate(ResourceElement resource);

    /// <summary>
    /// As <see cref="Validate(ResourceElement)"/>, and whether the validation ruled out duplicate keys anywhere in the
    /// resource (<see cref="ResourceParserOptions.DeferDuplicateKeys"/>); a validator that does not look says false.
    /// </summary>
    ValidationResult Validate(ResourceElement resource, out bool noDuplicateKeys)
    {
        noDuplicateKeys = false;
        return Validate(resource);
    }
}

/// <summary>OperationOutcome.issue.severity.</summary>
public enum IssueSeverity { Fatal, Error, Warning, Information }

/// <summary>
/// One finding. <see cref="Code"/> is the FHIR issue type (e.g. "required", "value", "code-invalid",
/// "structure", "invalid"); <see cref="Location"/> a FHIRPath-style expression (e.g. "Observation.category[0]");
/// <see cref="Message"/> never contains the resource's values.
/// </summary>
public sealed record ValidationIssue(IssueSeverity Severity, string Code, string Location, string Message, string? Profile, string RuleId);

/// <summary>
/// The outcome for one resource. <see cref="Usable"/> is false when the resource cannot be used at all
/// (unknown type, invalid primitive values, no subject...): it always goes to quarantine. Profile-conformance
/// errors leave it usable; in strict mode the caller quarantines those too.
/// </summary>
public sealed record ValidationResult(bool Usable, IReadOnlyList<ValidationIssue> Issues)
{
    public static ValidationResult Valid { get; } = new(true, Array.Empty<ValidationIssue>());

    public bool HasErrors
    {
        get
        {
            foreach (var issue in Issues)
            {
                if (issue.Severity is IssueSeverity.Error or IssueSeverity.Fatal) return true;
            }
            return false;
        }
    }
}
