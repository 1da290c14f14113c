using System.Numerics;

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

    // The checks in a fixed order: a table's counts are one array, indexed by check and column (no string keys per row).
    private static readonly string[] Checks = [IsRequired, PlausibleDateRange, PlausibleStartBeforeEnd, PlausibleValueRange, ConceptDomain, DrugWithoutIngredient];
    private const int RequiredCheck = 0, DateRangeCheck = 1, StartBeforeEndCheck = 2, ValueRangeCheck = 3, DomainCheck = 4, IngredientCheck = 5;

    private static readonly int FloorDay = new DateOnly(1900, 1, 1).DayNumber;

    private readonly IVocabulary _vocabulary;
    private readonly int _ceilingDay;
    private readonly Dictionary<OmopTable, TableTally> _tables = new(ReferenceEqualityComparer.Instance);
    // A file's rows come a few tables at a time: the table before is most often the one again.
    private TableTally? _last;

    /// <param name="vocabulary">Answers the domain of concept ids.</param>
    /// <param name="ceiling">The latest plausible date: the UTC date of the export's transactionTime.</param>
    public DataQualityChecks(IVocabulary vocabulary, DateOnly ceiling)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
        _ceilingDay = ceiling.DayNumber;
    }

    /// <summary>Checks row <paramref name="row"/> of <paramref name="rows"/>.</summary>
    public void Observe(OmopRowBuffer rows, int row)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var table = rows.Table;
        if (!table.IsCdm) return;
        var tally = TallyOf(table);
        tally.Rows++;
        var nulls = rows.Nulls(row);
        // Per row: the buffer's layout (required bits) and the table's date columns as bits, not its column list.
        for (var missing = nulls & rows.RequiredColumns; missing != 0; missing &= missing - 1)
            tally.Count(RequiredCheck, BitOperations.TrailingZeroCount(missing));
        for (var dates = tally.DateColumns & ~nulls; dates != 0; dates &= dates - 1)
        {
            var column = BitOperations.TrailingZeroCount(dates);
            if (rows.DayNumber(row, column) is var day && (day < FloorDay || day > _ceilingDay)) tally.Count(DateRangeCheck, column);
        }
        var rules = tally.Rules;
        var startEnd = rules.StartEnd;
        for (var p = 0; p < startEnd.Count; p++)
        {
            var (start, end) = startEnd[p];
            if (rows.NullableDate(row, start) is { } s && rows.NullableDate(row, end) is { } e && e < s) tally.Count(StartBeforeEndCheck, end);
        }
        if (rules.Concept is { } concept && rows.NullableInt32(row, concept.Index) is { } conceptId && conceptId != 0)
        {
            var finding = tally.ConceptFinding(conceptId, concept.Domain, _vocabulary);
            if (finding >= 0) tally.Count(finding, concept.Index);
        }
        if (rules.ValueIndex is { } valueIndex && rules.Concept is { } measured && rows.NullableInt32(row, measured.Index) is { } measuredId
            && !rows.IsNull(row, valueIndex) && rows.Double(row, valueIndex) is var number && DataQualityRules.PlausibleRange(measuredId) is { } range
            && (number < range.Low || number > range.High))
            tally.Count(ValueRangeCheck, valueIndex);
    }

    public DataQualityResult ToResult()
    {
        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var violations = new Dictionary<(string Check, string Table, string Field), long>();
        foreach (var tally in _tables.Values)
        {
            var table = tally.Table;
            rows[table.Name] = rows.GetValueOrDefault(table.Name) + tally.Rows;
            if (tally.Violations is not { } counts) continue;
            var columns = table.Columns.Count;
            for (var i = 0; i < counts.Length; i++)
            {
                if (counts[i] == 0) continue;
                var key = (Checks[i / columns], table.Name, table.Columns[i % columns].Name);
                violations[key] = violations.GetValueOrDefault(key) + counts[i];
            }
        }
        return new DataQualityResult(rows,
            violations.OrderBy(kv => kv.Key.Check, StringComparer.Ordinal).ThenBy(kv => kv.Key.Table, StringComparer.Ordinal).ThenBy(kv => kv.Key.Field, StringComparer.Ordinal)
                .Select(kv => new DataQualityFinding(kv.Key.Check, kv.Key.Table, kv.Key.Field, kv.Value)).ToList());
    }

    private TableTally TallyOf(OmopTable table)
    {
        if (_last is { } last && ReferenceEquals(last.Table, table)) return last;
        if (!_tables.TryGetValue(table, out var tally)) _tables.Add(table, tally = new TableTally(table));
        return _last = tally;
    }

    /// <summary>One table's row count and violation counts, with what its rows are checked against resolved once.</summary>
    private sealed class TableTally
    {
        // Concept ids remembered with their finding (the vocabulary is read-only): a table's rows repeat a few concepts.
        private const int MemoSlots = 64;
        private const int NoFinding = -1;

        private readonly int[] _memoIds = new int[MemoSlots];
        private readonly int[] _memoFindings = new int[MemoSlots];

        public TableTally(OmopTable table)
        {
            Table = table;
            Rules = DataQualityRules.For(table);
            for (var i = 0; i < table.Columns.Count; i++)
            {
                if (table.Columns[i].Type == OmopColumnType.Date) DateColumns |= 1UL << i;
            }
        }

        public OmopTable Table { get; }

        public DataQualityRules Rules { get; }

        /// <summary>Bit i set = column i is a date.</summary>
        public ulong DateColumns { get; }

        public long Rows;

        /// <summary>Counts by check (outer) and column (inner); made on the first violation.</summary>
        public long[]? Violations;

        public void Count(int check, int column) =>
            (Violations ??= new long[Checks.Length * Table.Columns.Count])[check * Table.Columns.Count + column]++;

        /// <summary>conceptDomain or drugEraWithoutIngredient for a standard concept in this table's concept column, or
        /// -1 for neither (also for unknown and non-standard concepts).</summary>
        public int ConceptFinding(int conceptId, string domain, IVocabulary vocabulary)
        {
            var slot = (int)((uint)conceptId * 2654435769u >> 26);
            if (_memoIds[slot] == conceptId) return _memoFindings[slot];
            var finding = NoFinding;
            if (vocabulary.TryGetConcept(conceptId, out var known) && known.IsStandard)
            {
                if (!string.Equals(known.DomainId, domain, StringComparison.Ordinal)) finding = DomainCheck;
                else if (ReferenceEquals(Table, CdmTables.DrugExposure) && vocabulary.TargetCount(known, ConceptRelationship.HasIngredient) == 0)
                    finding = IngredientCheck;
            }
            // Id 0 never reaches here, so an empty slot (0) never matches.
            (_memoIds[slot], _memoFindings[slot]) = (conceptId, finding);
            return finding;
        }
    }
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
