using System.Globalization;
using System.Text.Json;
using Ingestion.Testing;

namespace Ingestion.Parquet.Tests;

/// <summary>
/// Thousands of random schemas, options and rows (empty and non-ASCII strings, extreme values, all-null columns,
/// zero-row files, many row groups and pages, very long strings, dictionary fallback) read back by DuckDB, and a
/// sample by hyparquet, an independent pure-JavaScript reader.
/// </summary>
public sealed class RandomizedRoundTripTests(ScratchDirectory scratch) : IClassFixture<ScratchDirectory>
{
    private const int FileCount = 1200;
    private const int FilesPerQuery = 300;

    [Fact]
    public async Task RandomSchemasAndRowsReadBackIdenticallyInDuckDbAndHyparquet()
    {
        var cases = new List<ParquetCase>();
        for (var i = 0; i < FileCount; i++) cases.Add(await WriteRandomCaseAsync(i));
        var failures = new List<string>();

        for (var start = 0; start < cases.Count; start += FilesPerQuery)
            await CheckWithDuckDbAsync(cases, start, Math.Min(FilesPerQuery, cases.Count - start), failures);
        await CheckRowCountsAndCreatedByAsync(cases, failures);
        await CheckWithHyparquetAsync(cases.Where((_, i) => i % 12 == 0).ToList(), failures);

        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join("\n", failures.Take(40)));
    }

    private async Task<ParquetCase> WriteRandomCaseAsync(int index)
    {
        var generator = new ValueGenerator(10_000 + index);
        var random = generator.Random;
        var columnCount = random.Next(1, 7);
        var columns = Enumerable.Range(0, columnCount)
            .Select(c => new ParquetColumn($"c{c}_{(random.Next(6) == 0 ? "é列" : "x")}", (ParquetType)random.Next(7), random.Next(2) == 0))
            .ToList();
        var rowCount = random.Next(10) switch { 0 => 0, 1 => 1, 2 => random.Next(500, 2000), _ => random.Next(2, 40) };
        var allNull = columns.Select(c => !c.Required && random.Next(6) == 0).ToArray();
        var longStringsAllowed = random.Next(8) == 0;
        var pools = columns.Select(c => Enumerable.Range(0, random.Next(1, 20)).Select(_ => NextValue(generator, c.Type, longStringsAllowed)).ToList()).ToList();
        var rows = new List<object?[]>(rowCount);
        for (var r = 0; r < rowCount; r++)
        {
            var row = new object?[columnCount];
            for (var c = 0; c < columnCount; c++)
            {
                if (!columns[c].Required && (allNull[c] || random.Next(4) == 0)) continue;
                row[c] = random.Next(3) == 0 ? NextValue(generator, columns[c].Type, longStringsAllowed) : pools[c][random.Next(pools[c].Count)];
            }
            rows.Add(row);
        }
        var options = new ParquetWriterOptions
        {
            Compression = (ParquetCompression)random.Next(3),
            DictionaryEnabled = random.Next(4) != 0,
            DictionaryPageSizeLimit = random.Next(3) == 0 ? random.Next(8, 200) : 1024 * 1024,
            PageSizeBytes = random.Next(2) == 0 ? random.Next(16, 2000) : 1024 * 1024,
            RowGroupSizeBytes = random.Next(3) == 0 ? random.Next(200, 20_000) : 64L * 1024 * 1024,
            KeyValueMetadata = new Dictionary<string, string> { ["case"] = index.ToString(CultureInfo.InvariantCulture) },
        };
        var name = $"random-{index}";
        // Small batches (row groups close between batches) or the whole file in one.
        var batchRows = random.Next(2) == 0 ? random.Next(1, 64) : Math.Max(1, rowCount);
        return await ParquetCase.WriteAsync(name, scratch.File(name + ".parquet"), new ParquetSchema(columns), options, rows, batchRows);
    }

    private static object NextValue(ValueGenerator generator, ParquetType type, bool longStringsAllowed)
    {
        while (true)
        {
            var value = generator.Next(type);
            if (longStringsAllowed || value is not string { Length: > 1000 }) return value;
        }
    }

    private static async Task CheckWithDuckDbAsync(List<ParquetCase> cases, int start, int count, List<string> failures)
    {
        var parts = new List<string>();
        for (var i = start; i < start + count; i++)
        {
            var c = cases[i];
            if (c.Rows.Count == 0) continue;
            var values = string.Join(", ", c.Schema.Columns.Select(col => CanonicalValue.DuckDbExpression(col.Type, Quote(col.Name))));
            parts.Add($"SELECT {i} AS f, file_row_number AS r, [{values}] AS v FROM read_parquet({DuckDb.Literal(c.Path)}, file_row_number = true)");
        }
        var result = await DuckDb.QueryAsync(string.Join("\nUNION ALL\n", parts));
        var seen = new Dictionary<int, int>();
        foreach (var row in result.Rows)
        {
            var index = row[0].GetInt32();
            var rowNumber = (int)long.Parse(row[1].ToString(), CultureInfo.InvariantCulture);
            seen[index] = seen.GetValueOrDefault(index) + 1;
            var actual = row[2].EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString()).ToArray();
            Compare(cases[index], rowNumber, actual, "DuckDB", failures);
        }
        for (var i = start; i < start + count; i++)
            if (seen.GetValueOrDefault(i) != cases[i].Rows.Count)
                failures.Add($"{cases[i].Name}: DuckDB read {seen.GetValueOrDefault(i)} rows, wrote {cases[i].Rows.Count}");
    }

    private static async Task CheckRowCountsAndCreatedByAsync(List<ParquetCase> cases, List<string> failures)
    {
        var list = "[" + string.Join(", ", cases.Select(c => DuckDb.Literal(c.Path))) + "]";
        var result = await DuckDb.QueryAsync($"SELECT file_name, CAST(num_rows AS BIGINT), created_by FROM parquet_file_metadata({list})");
        var byPath = result.Rows.ToDictionary(r => r[0].GetString()!, r => (Rows: long.Parse(r[1].ToString(), CultureInfo.InvariantCulture), CreatedBy: r[2].GetString()));
        foreach (var c in cases)
        {
            if (!byPath.TryGetValue(c.Path, out var file)) failures.Add($"{c.Name}: missing from parquet_file_metadata");
            else if (file.Rows != c.Rows.Count) failures.Add($"{c.Name}: footer num_rows {file.Rows}, wrote {c.Rows.Count}");
            else if (file.CreatedBy is null || !file.CreatedBy.StartsWith("ingestion-parquet version ", StringComparison.Ordinal))
                failures.Add($"{c.Name}: created_by '{file.CreatedBy}'");
        }
    }

    private static async Task CheckWithHyparquetAsync(List<ParquetCase> sample, List<string> failures)
    {
        var files = await HyparquetReader.ReadAsync(sample.Select(c => c.Path));
        foreach (var (c, file) in sample.Zip(files))
        {
            if (file.Error is not null)
            {
                failures.Add($"{c.Name}: hyparquet failed: {file.Error}");
                continue;
            }
            if (file.RowCount != c.Rows.Count || file.Rows.Count != c.Rows.Count)
                failures.Add($"{c.Name}: hyparquet read {file.Rows.Count} rows (footer {file.RowCount}), wrote {c.Rows.Count}");
            if (!file.Columns.SequenceEqual(c.Schema.Columns.Select(col => col.Name)))
                failures.Add($"{c.Name}: hyparquet columns differ");
            for (var r = 0; r < Math.Min(file.Rows.Count, c.Rows.Count); r++) Compare(c, r, file.Rows[r], "hyparquet", failures);
        }
    }

    private static void Compare(ParquetCase c, int rowNumber, string?[] actual, string reader, List<string> failures)
    {
        var written = c.Rows[rowNumber];
        for (var col = 0; col < written.Length; col++)
        {
            var type = c.Schema.Columns[col].Type;
            var expected = CanonicalValue.Expected(type, written[col]);
            if (!CanonicalValue.Matches(type, expected, actual[col]))
                failures.Add($"{c.Name} row {rowNumber} column {col} ({type}): {reader} read '{Shorten(actual[col])}', wrote '{Shorten(expected)}'");
        }
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private static string? Shorten(string? text) => text is { Length: > 60 } ? text[..60] + $"…({text.Length})" : text;
}
