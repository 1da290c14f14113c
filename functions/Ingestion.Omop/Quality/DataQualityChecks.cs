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

    public void Observe(OmopTable table, object?[] row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        if (!table.IsCdm) return;
        _rows[table.Name] = _rows.GetValueOrDefault(table.Name) + 1;
        var rules = DataQualityRules.For(table);
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            var value = row[i];
            if (value is null)
            {
                if (column.Required) Count(IsRequired, table, column.Name);
                continue;
            }
            if (value is DateOnly date && (date < Floor || date > _ceiling)) Count(PlausibleDateRange, table, column.Name);
        }
        foreach (var (start, end) in rules.StartEnd)
        {
            if (row[start] is DateOnly s && row[end] is DateOnly e && e < s) Count(PlausibleStartBeforeEnd, table, table.Columns[end].Name);
        }
        if (rules.Concept is { } concept && row[concept.Index] is int conceptId && conceptId != 0
            && _vocabulary.TryGetConcept(conceptId, out var known) && known.IsStandard)
        {
            if (!string.Equals(known.DomainId, concept.Domain, StringComparison.Ordinal)) Count(ConceptDomain, table, table.Columns[concept.Index].Name);
            else if (ReferenceEquals(table, CdmTables.DrugExposure) && _vocabulary.TargetCount(known, ConceptRelationship.HasIngredient) == 0)
                Count(DrugWithoutIngredient, table, table.Columns[concept.Index].Name);
        }
        if (rules.ValueIndex is { } valueIndex && rules.Concept is { } measured && row[measured.Index] is int measuredId
            && row[valueIndex] is double number && DataQualityRules.PlausibleRange(measuredId) is { } range
            && (number < range.Low || number > range.High))
            Count(PlausibleValueRange, table, table.Columns[valueIndex].Name);
    }

    public DataQualityResult ToResult() => new(
        new SortedDictionary<string, long>(_rows, StringComparer.Ordinal),
        _violations.OrderBy(kv => kv.Key.Check, StringComparer.Ordinal).ThenBy(kv => kv.Key.Table, StringComparer.Ordinal).ThenBy(kv => kv.Key.Field, StringComparer.Ordinal)
            .Select(kv => new DataQualityFinding(kv.Key.Check, kv.Key.Table, kv.Key.Field, kv.Value)).ToList());

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
