namespace Ingestion.Omop;

/// <summary>
/// DQD-style checks over the rows a file writes, counted per (check, table, field): required fields present
/// (isRequired), dates between 1900-01-01 and the export's transactionTime (plausibleDateRange), start not after end
/// (plausibleStartBeforeEnd), plausible values of common measurements (plausibleValueRange), and the standard
/// concept's domain matching the table (conceptDomain); also drug_exposure rows whose drug has no RxNorm ingredient
/// (drugEraWithoutIngredient: their drug_era falls back to the drug concept). One instance per file; merged at fan-in
/// (<see cref="DataQualityResult.Merge"/>). Counts only, never values.
/// </summary>
public sealed class DataQualityChecks
{
    public const string IsRequired = "isRequired";
    public const string PlausibleDateRange = "plausibleDateRange";
    public const string PlausibleStartBeforeEnd = "plausibleStartBeforeEnd";
    public const string PlausibleValueRange = "plausibleValueRange";
    public const string ConceptDomain = "conceptDomain";
    /// <summary>Not a DQD check: a drug_exposure whose standard drug concept rolls up to no RxNorm ingredient, so its
    /// drug_era is of the drug concept itself (the documented fallback, docs/omop-mapping.md "Eras").</summary>
    public const string DrugWithoutIngredient = "drugEraWithoutIngredient";

    private static readonly DateOnly Floor = new(1900, 1, 1);

    private readonly IVocabulary _vocabulary;
    private readonly DateOnly _ceiling;
    private readonly Dictionary<(string Check, string Table, string Field), long> _violations = [];
    private readonly Dictionary<string, long> _rows = new(StringComparer.Ordinal);

    /// <param name="vocabulary">Answers the domain of concept ids.</param>
    /// <param name="ceiling">The latest plausible date: the UTC date of the export's transactionTime.</param>
    public DataQualityChecks(IVocabulary vocabulary, DateOnly ceiling)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
        _ceiling = ceiling;
    }

    /// <summary>Checks row <paramref name="row"/> of <paramref name="rows"/>.</summary>
    public void Observe(OmopRowBuffer rows, int row)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var table = rows.Table;
        if (!table.IsCdm) return;
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_rows, table.Name, out _)++;
        var rules = DataQualityRules.For(table);
        var nulls = rows.Nulls(row);
        // Per row: the buffer's layout (types, required bits) rather than the table's column list (an interface).
        if ((nulls & rows.RequiredColumns) != 0) CountRequired(table, nulls & rows.RequiredColumns);
        var types = rows.ColumnTypes;
        for (var i = 0; i < types.Length; i++)
        {
            if (types[i] == OmopColumnType.Date && (nulls & (1UL << i)) == 0 && rows.Date(row, i) is var date && (date < Floor || date > _ceiling))
                Count(PlausibleDateRange, table, table.Columns[i].Name);
        }
        var startEnd = rules.StartEnd;
        for (var p = 0; p < startEnd.Count; p++)
        {
            var (start, end) = startEnd[p];
            if (rows.NullableDate(row, start) is { } s && rows.NullableDate(row, end) is { } e && e < s) Count(PlausibleStartBeforeEnd, table, table.Columns[end].Name);
        }
        if (rules.Concept is { } concept && rows.NullableInt32(row, concept.Index) is { } conceptId && conceptId != 0
            && _vocabulary.TryGetConcept(conceptId, out var known) && known.IsStandard)
        {
            if (!string.Equals(known.DomainId, concept.Domain, StringComparison.Ordinal)) Count(ConceptDomain, table, table.Columns[concept.Index].Name);
            else if (ReferenceEquals(table, CdmTables.DrugExposure) && _vocabulary.TargetCount(known, ConceptRelationship.HasIngredient) == 0)
                Count(DrugWithoutIngredient, table, table.Columns[concept.Index].Name);
        }
        if (rules.ValueIndex is { } valueIndex && rules.Concept is { } measured && rows.NullableInt32(row, measured.Index) is { } measuredId
            && !rows.IsNull(row, valueIndex) && rows.Double(row, valueIndex) is var number && DataQualityRules.PlausibleRange(measuredId) is { } range
            && (number < range.Low || number > range.High))
            Count(PlausibleValueRange, table, table.Columns[valueIndex].Name);
    }

    public DataQualityResult ToResult() => new(
        new SortedDictionary<string, long>(_rows, StringComparer.Ordinal),
        _violations.OrderBy(kv => kv.Key.Check, StringComparer.Ordinal).ThenBy(kv => kv.Key.Table, StringComparer.Ordinal).ThenBy(kv => kv.Key.Field, StringComparer.Ordinal)
            .Select(kv => new DataQualityFinding(kv.Key.Check, kv.Key.Table, kv.Key.Field, kv.Value)).ToList());

    /// <summary>isRequired for each null REQUIRED column (bits of <paramref name="nullRequired"/>), in column order.</summary>
    private void CountRequired(OmopTable table, ulong nullRequired)
    {
        for (; nullRequired != 0; nullRequired &= nullRequired - 1)
            Count(IsRequired, table, table.Columns[System.Numerics.BitOperations.TrailingZeroCount(nullRequired)].Name);
    }

    private void Count(string check, OmopTable table, string field) =>
        _violations[(check, table.Name, field)] = _violations.GetValueOrDefault((check, table.Name, field)) + 1;
}

/// <summary>Rows violating one check in one field (counts only).</summary>
public sealed record DataQualityFinding(string Check, string Table, string Field, long Violations);

/// <summary>The checks' counts of a file or (merged) of a run.</summary>
public sealed record DataQualityResult(IReadOnlyDictionary<string, long> RowsByTable, IReadOnlyList<DataQualityFinding> Findings)
{
    public static DataQualityResult Empty { get; } = new(new Dictionary<string, long>(), []);

    public static DataQualityResult Merge(IEnumerable<DataQualityResult> results)
    {
        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var findings = new SortedDictionary<(string, string, string), long>();
        foreach (var result in results)
        {
            foreach (var (table, n) in result.RowsByTable) rows[table] = rows.GetValueOrDefault(table) + n;
            foreach (var f in result.Findings) findings[(f.Check, f.Table, f.Field)] = findings.GetValueOrDefault((f.Check, f.Table, f.Field)) + f.Violations;
        }
        return new DataQualityResult(rows, findings.Select(kv => new DataQualityFinding(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value)).ToList());
    }
}
