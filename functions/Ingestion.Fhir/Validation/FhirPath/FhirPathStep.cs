namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// A member step (<c>name</c>) resolved against an element table: the element it names, or the choice element
/// <c>name[x]</c>, or nothing. Navigation resolved it with up to three dictionary lookups (string hashing) per step and
/// per item; a compiled path resolves it once per table it meets (<see cref="FhirPathStepCache"/>), which hands out this object (no struct copies in unoptimised code).
/// </summary>
internal sealed class FhirPathStep(ChildTable table, string name, ChildEntry entry, ElementNode? choice, bool isProperty)
{
    public ChildTable Table => table;

    /// <summary>The element named (when <see cref="IsProperty"/>).</summary>
    public ChildEntry Entry => entry;

    /// <summary>The choice element <c>name[x]</c> (when not <see cref="IsProperty"/>); both unset: the table has no such element.</summary>
    public ElementNode? Choice => choice;

    public bool IsProperty => isProperty;

    /// <summary>
    /// The <see cref="FhirPathObjectIndex.NameBit(string)"/>s of every JSON name navigation reads for this step (the
    /// property and its <c>_name</c>, or each type of the choice and its <c>_name</c>; none when the table has no such
    /// element): an object with none of these names yields nothing for the step.
    /// </summary>
    public ulong NameBits { get; } = isProperty
        ? FhirPathObjectIndex.NameBit(name) | FhirPathObjectIndex.NameBit(entry.Slot.ShadowName)
        : choice is null ? 0UL : choice.Types.Aggregate(0UL, (bits, slot) => bits | FhirPathObjectIndex.NameBit(slot.JsonName) | FhirPathObjectIndex.NameBit(slot.ShadowName));

    /// <summary>The same lookups, in the same order, <see cref="FhirPathNavigator"/> made per step.</summary>
    public static FhirPathStep Resolve(ChildTable table, string name)
    {
        if (table.ByJsonName.TryGetValue(name, out var entry) && !entry.Node.IsChoice) return new(table, name, entry, null, true);
        if (table.ChoiceByName.TryGetValue(name, out var choice)) return new(table, name, default, choice, false);
        if (table.ByJsonName.TryGetValue(name, out entry)) return new(table, name, entry, null, true);
        return new(table, name, default, null, false);
    }
}
