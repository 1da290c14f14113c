using System.Text;
using Ingestion.Fhir.Ndjson;

namespace Ingestion.Fhir.Tests.BulkData;

public class NdjsonReaderTests
{
    private static async Task<List<(long Line, string Text, string? Error)>> ReadAll(Stream stream, NdjsonReaderOptions? options = null)
    {
        var lines = new List<(long, string, string?)>();
        await foreach (var line in NdjsonReader.ReadAsync(stream, options ?? NdjsonReaderOptions.Default, CancellationToken.None))
            lines.Add((line.LineNumber, Encoding.UTF8.GetString(line.Utf8.Span), line.Error));
        return lines;
    }

    private static Stream Utf8(string text, int maxChunk = int.MaxValue) =>
        new DroppingStream(Encoding.UTF8.GetBytes(text), long.MaxValue, maxChunk);

    [Fact]
    public async Task Lines_come_with_their_physical_numbers_blank_lines_skipped_and_crlf_removed()
    {
        var lines = await ReadAll(Utf8("{\"resourceType\":\"Patient\",\"id\":\"a\"}\r\n\r\n   \n{\"resourceType\":\"Patient\",\"id\":\"b\"}\n{\"resourceType\":\"Patient\",\"id\":\"c\"}"));

        Assert.Equal([1L, 4L, 5L], lines.Select(l => l.Line));
        Assert.Equal("{\"resourceType\":\"Patient\",\"id\":\"a\"}", lines[0].Text);
        Assert.Equal("{\"resourceType\":\"Patient\",\"id\":\"c\"}", lines[2].Text);
        Assert.All(lines, l => Assert.Null(l.Error));
    }

    [Fact]
    public async Task A_line_split_across_many_small_reads_and_buffer_segments_arrives_whole()
    {
        var big = "{\"resourceType\":\"Observation\",\"note\":\"" + new string('x', 200_000) + "\"}";
        var text = string.Join("\n", Enumerable.Range(0, 5).Select(i => big.Replace("\"note\"", $"\"n{i}\""))) + "\n";
        var lines = await ReadAll(Utf8(text, maxChunk: 7000), new NdjsonReaderOptions { BufferSize = 4096 });

        Assert.Equal(5, lines.Count);
        Assert.All(lines, l => Assert.Null(l.Error));
        Assert.Equal(big.Replace("\"note\"", "\"n3\""), lines[3].Text);
    }

    [Fact]
    public async Task An_over_long_line_is_reported_by_number_and_the_following_lines_still_flow()
    {
        var text = "{\"resourceType\":\"Patient\"}\n{\"resourceType\":\"Patient\",\"x\":\"" + new string('y', 50_000) + "\"}\n{\"resourceType\":\"Patient\",\"id\":\"after\"}\n";
        var lines = await ReadAll(Utf8(text, maxChunk: 1000), new NdjsonReaderOptions { MaxLineBytes = 4096, BufferSize = 1024 });

        Assert.Equal([1L, 2L, 3L], lines.Select(l => l.Line));
        Assert.StartsWith("line-too-long", lines[1].Error);
        Assert.Equal("", lines[1].Text);
        Assert.Null(lines[2].Error);
        Assert.Contains("after", lines[2].Text);
    }

    [Fact]
    public async Task An_over_long_last_line_without_newline_is_reported()
    {
        var lines = await ReadAll(Utf8("{\"resourceType\":\"Patient\"}\n" + new string('z', 10_000), maxChunk: 500), new NdjsonReaderOptions { MaxLineBytes = 1000, BufferSize = 512 });

        Assert.Equal(2, lines.Count);
        Assert.Equal(2, lines[1].Line);
        Assert.StartsWith("line-too-long", lines[1].Error);
    }

    [Fact]
    public async Task Invalid_json_is_reported_with_its_line_number_but_never_its_content()
    {
        const string secret = "Jane-Doe-1961";
        var text = "{\"resourceType\":\"Patient\",\"id\":\"1\"}\n{\"resourceType\":\"Patient\",\"name\":\"" + secret + "\"\n{\"resourceType\":\"Patient\",\"id\":\"3\"} trailing-" + secret + "\n{\"resourceType\":\"Patient\",\"id\":\"4\"}\n";
        var lines = await ReadAll(Utf8(text));

        Assert.Equal(4, lines.Count);
        Assert.Null(lines[0].Error);
        Assert.StartsWith("invalid-json", lines[1].Error);
        Assert.StartsWith("invalid-json", lines[2].Error);
        Assert.DoesNotContain(secret, lines[1].Error);
        Assert.DoesNotContain(secret, lines[2].Error);
        Assert.Null(lines[3].Error);
    }

    [Fact]
    public async Task Resource_type_is_checked_against_the_expected_type()
    {
        var text = "{\"resourceType\":\"Patient\",\"id\":\"1\"}\n{\"id\":\"2\",\"resourceType\":\"Observation\"}\n{\"id\":\"3\"}\n{\"contained\":[{\"resourceType\":\"Observation\"}],\"resourceType\":\"Patient\"}\n";
        var lines = await ReadAll(Utf8(text), new NdjsonReaderOptions { ExpectedResourceType = "Patient" });

        Assert.Null(lines[0].Error);
        Assert.StartsWith("resource-type-mismatch", lines[1].Error);
        Assert.StartsWith("missing-resource-type", lines[2].Error);
        Assert.Null(lines[3].Error);
    }

    [Fact]
    public async Task An_empty_stream_yields_nothing()
    {
        Assert.Empty(await ReadAll(Utf8("")));
        Assert.Empty(await ReadAll(Utf8("\n\r\n\n")));
    }
}
