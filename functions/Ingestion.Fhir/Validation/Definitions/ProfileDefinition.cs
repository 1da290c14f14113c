using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// The parts of a StructureDefinition snapshot the validator compiles. Both rule sources (FHIR packages and the
/// built-in rule set) produce these, so one compiler serves both.
/// </summary>
public sealed record ProfileDefinition(
    string Url,
    string Id,
    string Type,
    string Kind,
    string? BaseDefinition,
    bool IsConstraint,
    IReadOnlyList<ElementRule> Elements);

/// <summary>One snapshot element: cardinality, types, fixed/pattern value, binding, slicing, must-support.</summary>
public sealed record ElementRule(
    string Id,
    string Path,
    string? SliceName,
    int Min,
    string Max,
    string BaseMax,
    IReadOnlyList<TypeRule> Types,
    ResourceElement? Fixed,
    ResourceElement? Pattern,
    BindingRule? Binding,
    SlicingRule? Slicing,
    bool MustSupport,
    string? ContentReference,
    IReadOnlyList<ConstraintRule> Constraints);

/// <summary>
/// An invariant: key (us-core-6, obs-6), severity (error or warning), FHIRPath expression, human text, and whether the
/// definition marks it as a best-practice recommendation (dom-6: narrative) rather than a conformance rule.
/// </summary>
public sealed record ConstraintRule(string Key, string Severity, string? Expression, string? Human, bool BestPractice = false);

/// <summary>An allowed type; <see cref="Profiles"/> constrain the value, <see cref="TargetProfiles"/> a Reference's target.</summary>
public sealed record TypeRule(string Code, IReadOnlyList<string> Profiles, IReadOnlyList<string> TargetProfiles);

/// <summary>strength is required, extensible, preferred or example.</summary>
public sealed record BindingRule(string Strength, string? ValueSet);

public sealed record SlicingRule(IReadOnlyList<DiscriminatorRule> Discriminators, string Rules);

/// <summary>type is value, pattern, exists, type or profile; path a FHIRPath into the sliced element.</summary>
public sealed record DiscriminatorRule(string Type, string Path);

/// <summary>The codes of a value set, when they could be enumerated; <see cref="Complete"/> false means unknown codes are not errors.</summary>
public sealed record CodeListDefinition(string ValueSetUrl, IReadOnlyList<CodeEntry> Codes, bool Complete);

public sealed record CodeEntry(string? System, string Code);
