using System.Collections.Concurrent;

namespace Ingestion.Omop;

/// <summary>
/// The key references of a CDM table that point to a row of another table this pipeline emits: persons, visits,
/// visit details, providers, care sites and locations (DQD's <c>isForeignKey</c>/<c>fkTableName</c>). A table's own
/// key is not a reference (death's person_id is: death has no key of its own). Polymorphic references (cost_event_id, *_event_id) are not listed:
/// their target table depends on another column.
/// </summary>
public static class CdmForeignKeys
{
    /// <summary>Referencing column names → the table whose key they hold.</summary>
    private static readonly Dictionary<string, OmopTable> Targets = new(StringComparer.Ordinal)
    {
        ["person_id"] = CdmTables.Person,
        ["visit_occurrence_id"] = CdmTables.VisitOccurrence,
        ["preceding_visit_occurrence_id"] = CdmTables.VisitOccurrence,
        ["visit_detail_id"] = CdmTables.VisitDetail,
        ["preceding_visit_detail_id"] = CdmTables.VisitDetail,
        ["parent_visit_detail_id"] = CdmTables.VisitDetail,
        ["provider_id"] = CdmTables.Provider,
        ["care_site_id"] = CdmTables.CareSite,
        ["location_id"] = CdmTables.Location,
    };

    private static readonly ConcurrentDictionary<string, IReadOnlyList<CdmForeignKey>> ByTable = new(StringComparer.Ordinal);

    /// <summary>The tables keys are referenced in (the dimensions of referential integrity).</summary>
    public static IReadOnlyList<OmopTable> ReferencedTables { get; } =
        [CdmTables.Person, CdmTables.VisitOccurrence, CdmTables.VisitDetail, CdmTables.Provider, CdmTables.CareSite, CdmTables.Location];

    /// <summary>The references of <paramref name="table"/>, in column order; none for non-CDM tables.</summary>
    public static IReadOnlyList<CdmForeignKey> Of(OmopTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return ByTable.GetOrAdd(table.Name, _ =>
        {
            if (!table.IsCdm) return [];
            var keys = new List<CdmForeignKey>();
            for (var i = 0; i < table.Columns.Count; i++)
            {
                var column = table.Columns[i];
                if (column.Type == OmopColumnType.BigInt && Targets.TryGetValue(column.Name, out var target)
                    && !string.Equals(column.Name, table.Name + "_id", StringComparison.Ordinal))
                    keys.Add(new CdmForeignKey(i, column.Name, target, column.Required));
            }
            return keys;
        });
    }

    /// <summary>Whether the table's first column is its own row key (<c>{table}_id</c>): every emitted CDM table but
    /// death (keyed by person_id) and cdm_source.</summary>
    public static bool HasRowKey(OmopTable table) =>
        table is not null && table.IsCdm && table.Columns.Count > 0 && table.Columns[0].Type == OmopColumnType.BigInt
        && IsOwnKey(table.Columns[0].Name, table.Name);

    /// <summary>Whether <paramref name="column"/> is <c>{table}_id</c> (compared in place: asked per staged row).</summary>
    private static bool IsOwnKey(string column, string table) =>
        column.Length == table.Length + 3 && column.StartsWith(table, StringComparison.Ordinal) && column.EndsWith("_id", StringComparison.Ordinal);
}

/// <summary>One key reference: column <paramref name="Index"/> holds a key of <paramref name="Target"/>; a required
/// reference cannot be nulled, so a row whose required reference dangles is excluded.</summary>
public sealed record CdmForeignKey(int Index, string Column, OmopTable Target, bool Required);
