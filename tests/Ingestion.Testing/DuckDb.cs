using System.Diagnostics;
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
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryPaths.ToolsDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("duckdb-query.mjs");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        await process.StandardInput.WriteAsync(sql);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0) throw new InvalidOperationException($"DuckDB failed: {await stderr}");
        using var doc = JsonDocument.Parse(await stdout);
        var root = doc.RootElement;
        var columns = root.GetProperty("columns").EnumerateArray().Select(e => e.GetString()!).ToList();
        var types = root.GetProperty("types").EnumerateArray().Select(e => e.GetString()!).ToList();
        var rows = root.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray()).ToList();
        return new Result(columns, types, rows);
    }

    /// <summary>Quotes a path as a DuckDB string literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
}
