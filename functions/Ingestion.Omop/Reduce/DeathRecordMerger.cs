namespace Ingestion.Omop;

/// <summary>
/// The fan-in merge for death (primary key person_id): the Patient's deceasedDateTime row and the death certificate's
/// cause-of-death row (docs/omop-mapping.md, "Death") may come from different files. One row per person: date,
/// datetime and type from the earliest-dated row (the Patient's and the certificate's normally agree), the cause
/// from the latest-dated row that has one. Memory grows with the number of deceased persons.
/// </summary>
public sealed class DeathRecordMerger
{
    private readonly Dictionary<long, object?[]> _byPerson = new();

    public int PersonCount => _byPerson.Count;

    /// <summary>Adds a row in <see cref="CdmTables.Death"/> column order.</summary>
    public void Add(object?[] row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row is not [long person, DateOnly date, ..] || row.Length != CdmTables.Death.Columns.Count)
            throw new ArgumentException("Rows must follow CdmTables.Death.", nameof(row));
        if (!_byPerson.TryGetValue(person, out var merged))
        {
            _byPerson[person] = (object?[])row.Clone();
            return;
        }
        var mergedDate = (DateOnly)merged[1]!;
        var hasCause = row[5] is not null || row[4] is not null;
        var mergedHasCause = merged[5] is not null || merged[4] is not null;
        // Cause columns 4..6: the later-dated certificate wins; a row without a cause never erases one.
        var takeCause = hasCause && (!mergedHasCause || date >= mergedDate);
        var causes = takeCause ? row : merged;
        var dated = date < mergedDate ? row : merged;
        _byPerson[person] = [person, dated[1], dated[2], dated[3], causes[4], causes[5], causes[6]];
    }

    /// <summary>Merged death rows ordered by person_id, so a re-run writes identical output.</summary>
    public IEnumerable<object?[]> Rows() => _byPerson.OrderBy(kv => kv.Key).Select(kv => kv.Value);
}
