namespace Ingestion.Fhir.Validation;

/// <summary>
/// Whether an object's names are all different, judged while the walk reads them, by its own lookups: equal raw names
/// find the same entry, and a name found in a table of plain names is written without escapes, so different entries are
/// different names. One mark per entry and per entry's <c>_name</c>, and one for <c>resourceType</c>, in zeroed bytes the
/// walk rents beside its presence counters: a name met twice finds its mark set. A name not found (unknown, or escaped:
/// <c>"\u0061"</c>) or a table whose names are not all plain: not judged (false), like two equal names.
/// </summary>
internal ref struct NameMarks
{
    private readonly Span<byte> _marks;

    /// <param name="marks">Zeroed, <see cref="Length"/> bytes.</param>
    public NameMarks(Span<byte> marks, ChildTable table)
    {
        _marks = marks;
        AllDifferent = table.Names.AllPlain;
    }

    /// <summary>True while every name read was judged and none was met twice.</summary>
    public bool AllDifferent { get; private set; }

    /// <summary>The bytes an object of <paramref name="table"/> needs.</summary>
    public static int Length(ChildTable table) => table.Names.Count * 2 + 1;

    public void Mark(int entry, bool primitiveExtension) => Set(entry * 2 + (primitiveExtension ? 1 : 0));

    /// <summary>A <c>resourceType</c> that is not an element of the table (a resource's own): one mark of its own.</summary>
    public void MarkResourceType() => Set(_marks.Length - 1);

    public void Unjudged() => AllDifferent = false;

    private void Set(int index)
    {
        ref var mark = ref _marks[index];
        if (mark != 0) AllDifferent = false;
        mark = 1;
    }
}
