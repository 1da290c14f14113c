using System.Text.Json;
using Ingestion.Testing;

namespace Ingestion.Parquet.Tests;

/// <summary>The second, independent reader: tests/tools/hyparquet-read.mjs (pure-JavaScript hyparquet) run under node.</summary>
internal static class HyparquetReader
{
    public sealed record FileContent(string Path, string? Error, long RowCount, string? CreatedBy, int RowGroups, IReadOnlyList<string> Columns, IReadOnlyList<string?[]> Rows);

    public static async Task<IReadOnlyList<FileContent>> ReadAsync(IEnumerable<string> paths)
    {
        var output = await NodeScript.RunAsync("hyparquet-read.mjs", JsonSerializer.Serialize(paths.ToArray()));
        if (output.ExitCode != 0) throw new InvalidOperationException($"hyparquet reader failed: {output.StandardError}");
        using var document = JsonDocument.Parse(output.StandardOutput);
        return document.RootElement.EnumerateArray().Select(file => new FileContent(
            file.GetProperty("path").GetString()!,
            file.TryGetProperty("error", out var error) ? error.GetString() : null,
            file.TryGetProperty("numRows", out var rows) ? long.Parse(rows.GetString()!) : -1,
            file.TryGetProperty("createdBy", out var createdBy) ? createdBy.GetString() : null,
            file.TryGetProperty("rowGroups", out var groups) ? groups.GetInt32() : -1,
            file.TryGetProperty("columns", out var columns) ? columns.EnumerateArray().Select(c => c.GetString()!).ToList() : [],
            file.TryGetProperty("rows", out var data)
                ? data.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString()).ToArray()).ToList()
                : [])).ToList();
    }
}
