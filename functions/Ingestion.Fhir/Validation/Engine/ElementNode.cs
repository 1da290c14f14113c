using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// One compiled element of a profile: everything checked for a JSON property, precomputed so the walk does no
/// lookups by path. Built once per profile by <see cref="ProfileCompiler"/>; immutable afterwards.
/// </summary>
internal sealed class ElementNode
{
    public required string Name                         // last path segment, "value[x]" for a choice
    {
        get;
        init
        {
            field = value;
            IsChoice = value.EndsWith("[x]", StringComparison.Ordinal);
        }
    }
    public required string ElementId { get; init; }     // snapshot element id, used in rule ids
    public int Min { get; set; }
    public int Max { get; set; }                        // int.MaxValue for *
    public bool IsArray { get; set; }                   // base max != 1: the JSON value is an array
    public TypeSlot[] Types { get; set; } = [];
    public bool IsChoice { get; private init; }         // set with the name: navigation asks it per element
    public ResourceElement? Fixed { get; set; }
    public ResourceElement? Pattern { get; set; }
    /// <summary><see cref="Fixed"/> and <see cref="Pattern"/> taken apart on first use after compilation (the walk checks every instance against them).</summary>
    public CompiledJsonValue? CompiledFixed => Fixed is { } value ? field ??= new CompiledJsonValue(value) : null;
    public CompiledJsonValue? CompiledPattern => Pattern is { } value ? field ??= new CompiledJsonValue(value) : null;
    public CompiledBinding? Binding { get; set; }
    public bool MustSupport { get; set; }
    public ChildTable? Children { get; set; }
    public SliceRule[]? Slices { get; set; }
    public bool SlicingClosed { get; set; }
    public string? ContentReference { get; set; }
    public Dictionary<string, ElementNode>? TypeSlices { get; set; } // value[x]:valueQuantity constraints
    public List<ElementNode>? PendingSlices { get; set; }             // compile-time only
    public CompiledInvariant[]? Invariants { get; set; }              // this element's constraints (not its type's)

    // The rule ids and messages of the issues most raised on an element, built on first use after compilation rather
    // than per issue (Synthea resources average nearly two, mostly must-support and missing elements).
    public string MustSupportRule => field ??= ElementId + ":must-support";
    public string MinRule => field ??= ElementId + ":min";
    public string MinMessage => field ??= $"Required element missing (min {Min}).";
    public string BindingRule => field ??= ElementId + (Binding!.Required ? ":binding" : ":binding-extensible");
    public string BindingMessage => field ??= Binding!.Required
        ? $"Code not in the required value set {Binding.Codes.ValueSetUrl}."
        : $"Code not in the extensible value set {Binding.Codes.ValueSetUrl}.";

    // The issue each of those findings raised last, given again by ValidationContext.Add when the next one is the same
    // finding at the same location (most are): not part of the compiled rules; written by the walks on any thread.
    public ValidationIssue? LastMustSupportIssue;
    public ValidationIssue? LastMinIssue;
    public ValidationIssue? LastBindingIssue;
}

/// <summary>One allowed type of an element, with its JSON property name (choice elements have one per type).</summary>
internal sealed class TypeSlot
{
    public required string Code
    {
        get;
        init
        {
            field = value;
            FhirPathType = FhirPath.FhirPathNavigator.TypeCode(value);
            IsResource = value == "Resource";
        }
    }

    /// <summary>The type as FHIRPath names it (System.String → string; null for other System types), found once: the walk types each element it enters by it.</summary>
    public string? FhirPathType { get; private init; }

    public required string JsonName { get; init; }
    /// <summary>"_" + <see cref="JsonName"/>: the primitive-extension property, built once rather than per lookup.</summary>
    public string ShadowName => field ??= "_" + JsonName;
    public PrimitiveKind Primitive { get; init; }
    public string? Profile { get; init; }
    public string[]? TargetTypes { get; set; }  // Reference targets as resource type names; null = any
    public ChildTable? Resolved { get; set; }   // the type's (or type profile's) children when the element has none inline
    public CompiledInvariant[]? TypeInvariants { get; set; } // the base data type's constraints not already on the element
    /// <summary>The clean-subtree memo's id of this element context (0: never memoized); see <see cref="SubtreeContexts"/>.</summary>
    public int SubtreeId { get; set; }
    /// <summary>What the invariant verdict of a value in this context depends on outside it (compile time).</summary>
    public SubtreeDependency InvariantDependency { get; set; }
    /// <summary>A contained or Bundle-entry resource: set with the code (the walks ask it per element).</summary>
    public bool IsResource { get; private init; }
    /// <summary><see cref="InvariantWalker.IsLeafTrivial"/> for this slot's element, found on first use after compilation.</summary>
    public LeafTriviality? LeafTrivial { get; set; }
}

/// <summary>Whether a primitive of <see cref="Node"/> needs no constraint evaluation (<see cref="InvariantWalker.IsLeafTrivial"/>).</summary>
internal sealed record LeafTriviality(ElementNode Node, bool Trivial);

/// <summary>A binding with its enumerated codes.</summary>
internal sealed record CompiledBinding(bool Required, CompiledCodeSet Codes);

/// <summary>The children of an element (or a resource root), keyed by JSON property name.</summary>
internal sealed class ChildTable
{
    public required string Path { get; init; }
    public Dictionary<string, ChildEntry> ByJsonName { get; } = new(StringComparer.Ordinal);
    /// <summary>Choice elements by their name without <c>[x]</c> (the first of the elements when repeated), for FHIRPath navigation.</summary>
    public Dictionary<string, ElementNode> ChoiceByName { get; } = new(StringComparer.Ordinal);
    public ElementNode[] Elements { get; set; } = [];
    public TableMember[] Required { get; set; } = [];      // min > 0, or slices with min > 0
    public TableMember[] MustSupport { get; set; } = [];
    public TableMember[] Choices { get; set; } = [];
    public int SlotCount { get; set; }                       // presence counters the walk keeps per object
    public CompiledInvariant[]? Invariants { get; set; }     // constraints of the type (or resource) these are the children of
    /// <summary><see cref="ByJsonName"/> by the raw UTF-8 name, for the walks.</summary>
    public ChildNameTable Names { get; set; } = null!;
    /// <summary>The rule id of an unknown property here, built once.</summary>
    public string UnknownElementRule => field ??= Path + ":unknown-element";
}

/// <summary>A JSON property's element; <see cref="Index"/> counts its presence, <see cref="BaseIndex"/> that of its choice element.</summary>
internal readonly record struct ChildEntry(ElementNode Node, TypeSlot Slot, int Index, int BaseIndex);

internal readonly record struct TableMember(ElementNode Node, int Index);

/// <summary>
/// What the walk asks of a property's element in every object, packed beside the name table
/// (<see cref="ChildNameTable.FactsAt"/>): a clean primitive is judged without reading its element and type objects,
/// which lie scattered in memory (each one read is a likely cache miss, and most properties are primitives).
/// </summary>
internal readonly record struct ChildFacts(int Index, int BaseIndex, PrimitiveKind Primitive, ChildFlags Flags, string JsonName, int SubtreeId, SubtreeDependency Dependency);

[Flags]
internal enum ChildFlags : byte
{
    None = 0,
    NeedsVisit = 1,         // InvariantWalker.NeedsVisit
    LeafTrivial = 2,        // InvariantWalker.IsLeafTrivial without _name properties
    SinglePlain = 4,        // one value (not an array, max ≠ 0), no fixed or pattern value
    PrimitiveBinding = 8,   // a binding checked on the primitive itself (code, string, uri)
    SingleValue = 16,       // not an array, max ≠ 0
}

/// <summary>A slice: the discriminator values an item must carry, and the element rules for items that do.</summary>
internal sealed class SliceRule
{
    public required string Name { get; init; }
    public required ElementNode Node { get; init; }
    public required SliceDiscriminator[] Discriminators { get; init; }
    public bool Evaluable { get; init; }
    /// <summary>The memo's id of an item checked against this slice (structure walk; 0: never memoized).</summary>
    public int SubtreeId { get; set; }

    /// <summary>The rule id and message of a missing slice, built on first use (raised per resource where it is missing).</summary>
    public string MinRule => field ??= Name + ":min";
    public string MinMessage => field ??= $"Required slice missing (min {Node.Min}).";

    /// <summary>The missing-slice issue raised last (see <see cref="ElementNode.LastMinIssue"/>).</summary>
    public ValidationIssue? LastMinIssue;
}

/// <summary>Expected value at a path in the item (segments; empty = the item itself).</summary>
internal sealed record SliceDiscriminator(string[] Path, ResourceElement Expected, bool IsPattern, CompiledCodeSet? ValueSet)
{
    /// <summary><see cref="Path"/> as UTF-8, as the document compares names (a string name is transcoded per lookup).</summary>
    public byte[][] Utf8Path { get; } = Path.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();

    /// <summary><see cref="Expected"/> taken apart once: matching an item reads only the item.</summary>
    public CompiledJsonValue CompiledExpected { get; } = new(Expected);
}
