namespace Ingestion.Fhir.Validation;

/// <summary>
/// What the invariant verdict of an element's subtree depends on besides its own JSON and its element context, decided
/// at compile time for the clean-subtree memo (<see cref="SubtreeMemo"/>). Ordered: the larger value wins.
/// </summary>
internal enum SubtreeDependency : byte
{
    /// <summary>Only the subtree: the same bytes in the same context always give the same verdict.</summary>
    None = 0,

    /// <summary>
    /// Also the ids of the resource's contained resources (ref-1: <c>%rootResource.contained.id</c>): the memo keys
    /// such a context with those ids too (<see cref="ContainedIds"/>).
    /// </summary>
    ContainedIds = 1,

    /// <summary>Anything else outside the subtree (<c>resolve()</c>, <c>%resource.type</c>, the clock, a nested resource below it): never memoized.</summary>
    Outside = 2,
}
