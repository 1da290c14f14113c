using Ingestion.Fhir.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Limits of the strict FHIR JSON reading done by <see cref="ResourceParser"/> (and <see cref="ValidationRun"/>).
/// Defaults suit every real resource; tests and callers with other needs set them.
/// </summary>
public sealed record ResourceParserOptions
{
    /// <summary>Default nesting limit (objects and arrays): far above any real FHIR resource, low enough to bound the walk's stack.</summary>
    public const int DefaultMaxDepth = 512;

    /// <summary>Default longest string value, in bytes as written in the JSON (1 MiB).</summary>
    public const int DefaultMaxStringBytes = 1024 * 1024;

    /// <summary>Deeper JSON is rejected (fatal, <see cref="ResourceParser.RuleTooDeep"/>) rather than reported as malformed.</summary>
    public int MaxDepth { get; init; } = DefaultMaxDepth;

    /// <summary>Longer strings are errors (<see cref="ResourceParser.RuleStringTooLong"/>); the resource stays usable.</summary>
    public int MaxStringBytes { get; init; } = DefaultMaxStringBytes;

    /// <summary>
    /// Leaves the duplicate-key check of a line the strict rules cannot otherwise fault to the caller
    /// (<see cref="ResourceParseResult.DuplicateKeysChecked"/> false), who validates the resource anyway:
    /// <see cref="UsCoreValidator.Validate(ResourceElement, out bool)"/> says when its walk ruled them out,
    /// and otherwise the caller parses the line again without this option, which finds the same as it always did.
    /// </summary>
    public bool DeferDuplicateKeys { get; init; }

    public static ResourceParserOptions Default { get; } = new();
}
