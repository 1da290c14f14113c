using System.Text.Json;

namespace Ingestion.Testing;

/// <summary>
/// Runs SQL in DuckDB (npm @duckdb/node-api through tests/tools/duckdb-query.mjs) and returns the rows.
/// Values come back as JSON: BIGINT as strings, DATE/TIMESTAMP as ISO-like strings, NULL as null.
/// </summary>
public static class DuckDb
{
    public sealed record Result(IReadOnlyList<string> Columns, IReadOnlyList<string> Types, IReadOnlyList<JsonElement[]> Rows)
    {
        public JsonElement Scalar => Rows[0][0];
    }

    public static async Task<Result> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        var output = await NodeScript.RunAsync("duckdb-query.mjs", sql, cancellationToken: cancellationToken);
        if (output.ExitCode != 0) throw new InvalidOperationException($"DuckDB failed: {output.StandardError}");
        using var doc = JsonDocument.Parse(output.StandardOutput);
        var root = doc.RootElement;
        var columns = root.GetProperty("columns").EnumerateArray().Select(e => e.GetString()!).ToList();
        var types = root.GetProperty("types").EnumerateArray().Select(e => e.GetString()!).ToList();
        var rows = root.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray()).ToList();
        return new Result(columns, types, rows);
    }

    /// <summary>Quotes a path as a DuckDB string literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
}
