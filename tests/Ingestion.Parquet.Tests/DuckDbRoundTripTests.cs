using System.Globalization;
using System.Text;
using System.Text.Json;
using Ingestion.Testing;

namespace Ingestion.Parquet.Tests;

/// <summary>
/// Every type × REQUIRED/OPTIONAL × encoding × compression, read back by DuckDB: column types, every value and null,
/// the statistics, encodings and codec in parquet_metadata(), and filters answered over the statistics.
/// </summary>
public sealed class DuckDbRoundTripTests(ScratchDirectory scratch) : IClassFixture<ScratchDirectory>
{
    private const int RowsPerFile = 300;

    [Fact]
    public async Task EveryTypeRepetitionEncodingAndCodecReadsBackInDuckDbWithValuesStatisticsAndFilters()
    {
        var cases = await WriteMatrixAsync();
        var failures = new List<string>();

        await CheckValuesAsync(cases, failures);
        await CheckMetadataAsync(cases, failures);
        await CheckFiltersAsync(cases, failures);

        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join("\n", failures.Take(40)));
    }

    private async Task<List<ParquetCase>> WriteMatrixAsync()
    {
        var cases = new List<ParquetCase>();
        var seed = 1;
        foreach (var type in Enum.GetValues<ParquetType>())
        foreach (var required in new[] { true, false })
        foreach (var dictionary in new[] { true, false })
        foreach (var compression in Enum.GetValues<ParquetCompression>())
        {
            var generator = new ValueGenerator(seed++);
            // A small pool makes the dictionary pay off; the PLAIN files draw freely.
            var pool = Enumerable.Range(0, 12).Select(_ => generator.Next(type)).ToList();
            var rows = new List<object?[]>();
            for (var i = 0; i < RowsPerFile; i++)
            {
                object? value = !required && generator.Random.Next(5) == 0 ? null
                    : dictionary ? pool[generator.Random.Next(pool.Count)] : generator.Next(type);
                rows.Add([value]);
            }
            var name = $"{type}-{(required ? "required" : "optional")}-{(dictionary ? "dictionary" : "plain")}-{compression}";
            var options = new ParquetWriterOptions { Compression = compression, DictionaryEnabled = dictionary, PageSizeBytes = 512 };
            var schema = new ParquetSchema([new ParquetColumn("c", type, required)]);
            cases.Add(await ParquetCase.WriteAsync(name, scratch.File(name + ".parquet"), schema, options, rows));
        }
        return cases;
    }

    private static async Task CheckValuesAsync(List<ParquetCase> cases, List<string> failures)
    {
        foreach (var group in cases.Select((c, i) => (Case: c, Index: i)).GroupBy(p => p.Case.Schema.Columns[0].Type))
        {
            var type = group.Key;
            var sql = string.Join("\nUNION ALL\n", group.Select(p =>
                $"SELECT {p.Index} AS f, file_row_number AS r, typeof(c) AS t, {CanonicalValue.DuckDbExpression(type, "c")} AS v " +
                $"FROM read_parquet({DuckDb.Literal(p.Case.Path)}, file_row_number = true)"));
            var result = await DuckDb.QueryAsync(sql);
            var seen = new Dictionary<int, int>();
            foreach (var row in result.Rows)
            {
                var index = row[0].GetInt32();
                var rowNumber = (int)long.Parse(row[1].ToString(), CultureInfo.InvariantCulture);
                var parquetCase = cases[index];
                seen[index] = seen.GetValueOrDefault(index) + 1;
                if (row[2].GetString() != ParquetCase.DuckDbType(type))
                    failures.Add($"{parquetCase.Name}: DuckDB type {row[2].GetString()}, expected {ParquetCase.DuckDbType(type)}");
                var expected = CanonicalValue.Expected(type, parquetCase.Rows[rowNumber][0]);
                var actual = row[3].ValueKind == JsonValueKind.Null ? null : row[3].GetString();
                if (!CanonicalValue.Matches(type, expected, actual))
                    failures.Add($"{parquetCase.Name} row {rowNumber}: read '{Shorten(actual)}', wrote '{Shorten(expected)}'");
            }
            foreach (var (parquetCase, index) in group)
                if (seen.GetValueOrDefault(index) != parquetCase.Rows.Count)
                    failures.Add($"{parquetCase.Name}: DuckDB read {seen.GetValueOrDefault(index)} rows, wrote {parquetCase.Rows.Count}");
        }
    }

    private static async Task CheckMetadataAsync(List<ParquetCase> cases, List<string> failures)
    {
        var sql = string.Join("\nUNION ALL\n", cases.Select((c, i) =>
        {
            var type = c.Schema.Columns[0].Type;
            var sqlType = ParquetCase.DuckDbType(type);
            return $"SELECT {i} AS f, row_group_id AS g, compression, encodings, CAST(stats_null_count AS BIGINT) AS nulls, num_values, " +
                   $"{CanonicalValue.DuckDbExpression(type, $"TRY_CAST(stats_min_value AS {sqlType})")} AS mn, " +
                   $"{CanonicalValue.DuckDbExpression(type, $"TRY_CAST(stats_max_value AS {sqlType})")} AS mx " +
                   $"FROM parquet_metadata({DuckDb.Literal(c.Path)})";
        }));
        var result = await DuckDb.QueryAsync(sql);
        var rowGroups = result.Rows.GroupBy(r => r[0].GetInt32()).ToDictionary(g => g.Key, g => g.ToList());
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var type = c.Schema.Columns[0].Type;
            if (!rowGroups.TryGetValue(i, out var groups) || groups.Count != 1)
            {
                failures.Add($"{c.Name}: expected one row group in parquet_metadata");
                continue;
            }
            var row = groups[0];
            var expectedCodec = c.Options.Compression.ToString().ToUpperInvariant();
            if (row[2].GetString() != expectedCodec) failures.Add($"{c.Name}: compression {row[2]} expected {expectedCodec}");
            var encodings = row[3].GetString()!;
            var expectDictionary = c.Options.DictionaryEnabled && type != ParquetType.Boolean;
            if (encodings.Contains("RLE_DICTIONARY") != expectDictionary) failures.Add($"{c.Name}: encodings {encodings}");
            var expectedNulls = c.Rows.Count(r => r[0] is null);
            if (long.Parse(row[4].ToString(), CultureInfo.InvariantCulture) != expectedNulls) failures.Add($"{c.Name}: null_count {row[4]} expected {expectedNulls}");
            var (min, max) = c.ExpectedStatistics(0);
            // DuckDB drops non-finite double statistics when it converts them (ParquetStatisticsUtils::ConvertValue).
            if (type == ParquetType.Double && min is "-Infinity" or "Infinity") min = null;
            if (type == ParquetType.Double && max is "-Infinity" or "Infinity") max = null;
            var actualMin = row[6].ValueKind == JsonValueKind.Null ? null : row[6].GetString();
            var actualMax = row[7].ValueKind == JsonValueKind.Null ? null : row[7].GetString();
            if (!CanonicalValue.Matches(type, min, actualMin)) failures.Add($"{c.Name}: stats min '{Shorten(actualMin)}' expected '{Shorten(min)}'");
            if (!CanonicalValue.Matches(type, max, actualMax)) failures.Add($"{c.Name}: stats max '{Shorten(actualMax)}' expected '{Shorten(max)}'");
        }
    }

    private static async Task CheckFiltersAsync(List<ParquetCase> cases, List<string> failures)
    {
        var probes = new List<(int Index, long Expected)>();
        var parts = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var type = c.Schema.Columns[0].Type;
            var candidates = c.Rows.Select(r => r[0]).Where(v => v is not null && !(v is double d && double.IsNaN(d))).Select(v => v!).ToList();
            if (candidates.Count == 0) continue;
            candidates.Sort(ParquetCase.Compare);
            var threshold = candidates[candidates.Count / 2];
            var expected = c.Rows.LongCount(r => r[0] is { } v && ParquetCase.Compare(v, threshold) >= 0);
            probes.Add((i, expected));
            parts.Add($"SELECT {i} AS f, count(*) AS n FROM read_parquet({DuckDb.Literal(c.Path)}) WHERE c >= {ParquetCase.SqlLiteral(type, threshold)}");
        }
        var result = await DuckDb.QueryAsync(string.Join("\nUNION ALL\n", parts));
        var counts = result.Rows.ToDictionary(r => r[0].GetInt32(), r => long.Parse(r[1].ToString(), CultureInfo.InvariantCulture));
        foreach (var (index, expected) in probes)
            if (counts.GetValueOrDefault(index, -1) != expected)
                failures.Add($"{cases[index].Name}: filter counted {counts.GetValueOrDefault(index, -1)}, expected {expected}");
    }

    private static string? Shorten(string? text) => text is { Length: > 60 } ? text[..60] + $"…({text.Length})" : text;
}
