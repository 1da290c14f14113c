namespace Ingestion.Omop;

/// <summary>
/// DQD-style foreign-key check (<c>isForeignKey</c>): counts, per (table, column), the rows checked and those whose
/// key reference names no row of the referenced table (<see cref="CdmForeignKeys"/>). Run over a run's final rows
/// after the referential-integrity pass, so every count of dangling references is expected to be 0. Counts only.
/// </summary>
public sealed class ForeignKeyChecks(Func<OmopTable, long, bool> exists)
{
    public const string IsForeignKey = "isForeignKey";

    private readonly Dictionary<(string Table, string Column, string Target), (long Checked, long Dangling)> _counts = [];

    /// <summary>Checks every non-null key reference of one row.</summary>
    public void Observe(OmopTable table, object?[] row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        foreach (var fk in CdmForeignKeys.Of(table))
        {
            if (row[fk.Index] is long key) Observe(table, fk, key);
        }
    }

    /// <summary>Checks one non-null key reference.</summary>
    public void Observe(OmopTable table, CdmForeignKey fk, long key)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(fk);
        var slot = (table.Name, fk.Column, fk.Target.Name);
        var (checkedRows, dangling) = _counts.GetValueOrDefault(slot);
        _counts[slot] = (checkedRows + 1, exists(fk.Target, key) ? dangling : dangling + 1);
    }

    /// <summary>Adds counts made elsewhere (another check over other rows of the same run).</summary>
    public void Add(IEnumerable<ForeignKeyCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        foreach (var c in checks)
        {
            var slot = (c.Table, c.Column, c.ReferencedTable);
            var (checkedRows, dangling) = _counts.GetValueOrDefault(slot);
            _counts[slot] = (checkedRows + c.RowsChecked, dangling + c.Dangling);
        }
    }

    public IReadOnlyList<ForeignKeyCheck> Results() => _counts
        .OrderBy(kv => kv.Key.Table, StringComparer.Ordinal).ThenBy(kv => kv.Key.Column, StringComparer.Ordinal)
        .Select(kv => new ForeignKeyCheck(kv.Key.Table, kv.Key.Column, kv.Key.Target, kv.Value.Checked, kv.Value.Dangling)).ToList();
}

/// <summary>Non-null references of <paramref name="Table"/>.<paramref name="Column"/> checked against
/// <paramref name="ReferencedTable"/>, and how many named no row there.</summary>
public sealed record ForeignKeyCheck(string Table, string Column, string ReferencedTable, long RowsChecked, long Dangling);
