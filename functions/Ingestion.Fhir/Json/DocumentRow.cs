using System.Text.Json;

namespace Ingestion.Fhir.Json;

/// <summary>
/// One value or property name of a <see cref="ResourceDocument"/>, in document order. Containers know where they end
/// (<see cref="Next"/>) and how many children they have, so skipping one and counting its items are O(1).
/// </summary>
internal struct DocumentRow
{
    /// <summary>Byte offset of the value: after the opening quote for strings and names, at the bracket for containers.</summary>
    public int Start;

    /// <summary>Bytes of the value: without quotes for strings and names, up to and including the closing bracket for containers.</summary>
    public int Length;

    /// <summary>Index of the first row after this value (for a container, after all of its descendants).</summary>
    public int Next;

    /// <summary>Members of an object, items of an array; zero for the rest.</summary>
    public int Count;

    /// <summary>The value's kind; <see cref="JsonValueKind.Undefined"/> marks a property name row.</summary>
    public JsonValueKind Kind;

    /// <summary>A string or name written with a backslash escape: it must be decoded before it is compared or read.</summary>
    public bool HasEscapes;
}
