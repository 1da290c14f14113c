using System.Text;
using Ingestion.Fhir.Ndjson;

namespace Ingestion.Fhir.Tests.BulkData;

/// <summary>What the NDJSON reader does with the bytes themselves: byte order marks, invalid UTF-8, duplicate resourceType.</summary>
public sealed class NdjsonByteLevelTests
{
    private const string Secret = "Jane-Secret-Doe";
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private static async Task<List<NdjsonLineCopy>> ReadAll(byte[] bytes, int maxChunk = int.MaxValue)
    {
        var lines = new List<NdjsonLineCopy>();
        await using var stream = new DroppingStream(bytes, long.MaxValue, maxChunk);
        await foreach (var line in NdjsonReader.ReadAsync(stream, NdjsonReaderOptions.Default, CancellationToken.None))
            lines.Add(new NdjsonLineCopy(line.LineNumber, line.Utf8.ToArray(), line.Error));
        return lines;
    }

    private sealed record NdjsonLineCopy(long Line, byte[] Bytes, string? Error);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(int.MaxValue)]
    public async Task A_byte_order_mark_at_the_start_of_the_file_keeps_the_first_resource(int maxChunk)
    {
        var bytes = Bom.Concat(Utf8("{\"resourceType\":\"Patient\",\"id\":\"a\"}\n{\"resourceType\":\"Patient\",\"id\":\"b\"}\n")).ToArray();
        var lines = await ReadAll(bytes, maxChunk);

        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Null(l.Error));
        Assert.Equal("{\"resourceType\":\"Patient\",\"id\":\"a\"}", Encoding.UTF8.GetString(lines[0].Bytes));
    }

    [Fact]
    public async Task A_file_that_is_only_a_byte_order_mark_has_no_lines_and_one_without_is_unchanged()
    {
        Assert.Empty(await ReadAll(Bom));
        var lines = await ReadAll(Utf8("{\"resourceType\":\"Patient\"}"));
        Assert.Null(Assert.Single(lines).Error);
    }

    [Fact]
    public async Task A_byte_order_mark_inside_the_file_is_not_skipped()
    {
        var bytes = Utf8("{\"resourceType\":\"Patient\"}\n").Concat(Bom).Concat(Utf8("{\"resourceType\":\"Patient\"}\n")).ToArray();
        var lines = await ReadAll(bytes);
        Assert.Null(lines[0].Error);
        Assert.StartsWith("invalid-json:", lines[1].Error);
    }

    [Fact]
    public async Task A_line_with_invalid_utf8_is_reported_as_such_with_its_bytes_kept_and_its_neighbours_unharmed()
    {
        var bad = Utf8($"{{\"resourceType\":\"Patient\",\"name\":[{{\"family\":\"{Secret}\"}}]}}");
        var at = Array.IndexOf(bad, (byte)'J');
        bad[at] = 0xFF;
        var bytes = Utf8("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Zoë\"}]}\n").Concat(bad).Concat(Utf8("\n{\"resourceType\":\"Patient\"}\n")).ToArray();

        var lines = await ReadAll(bytes);

        Assert.Equal([1L, 2L, 3L], lines.Select(l => l.Line));
        Assert.Null(lines[0].Error);
        Assert.Null(lines[2].Error);
        Assert.Equal($"invalid-utf8: the line is not valid UTF-8 (first invalid byte at {at})", lines[1].Error);
        Assert.Equal(bad, lines[1].Bytes);
        Assert.DoesNotContain(Secret, lines[1].Error);
    }

    [Fact]
    public async Task A_second_top_level_resourceType_is_rejected_not_silently_taken()
    {
        var lines = await ReadAll(Utf8("{\"resourceType\":\"Patient\",\"resourceType\":\"Observation\"}\n{\"resourceType\":\"Patient\",\"contained\":[{\"resourceType\":\"Patient\"}]}\n"));
        Assert.Equal(NdjsonLineError.DuplicateResourceType, lines[0].Error);
        Assert.Null(lines[1].Error);
    }
}
