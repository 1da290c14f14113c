using System.Text;
using Ingestion.Fhir.Ndjson;

namespace Ingestion.Fhir.Tests.BulkData;

/// <summary>
/// Random NDJSON files (CRLF and LF, blank and whitespace lines, a byte order mark, over-long lines, a last line with
/// and without its newline, lines longer than the pipe's buffer) read through every buffer size and read size: each
/// line arrives whole, with its number, its bytes and its reason exactly as a plain split of the file says.
/// </summary>
public sealed class NdjsonFramingTests
{
    private const int MaxLineBytes = 700;

    [Theory]
    [InlineData(16, 1)]
    [InlineData(64, 7)]
    [InlineData(257, int.MaxValue)]
    [InlineData(1024, 100)]
    [InlineData(4096, 4096)]
    [InlineData(65536, int.MaxValue)]
    public async Task Every_line_arrives_as_a_plain_split_of_the_file_says_whatever_the_buffer_and_read_sizes(int bufferSize, int maxChunk)
    {
        var random = new Random(bufferSize ^ maxChunk);
        var options = new NdjsonReaderOptions { BufferSize = bufferSize, MaxLineBytes = MaxLineBytes, ExpectedResourceType = "Patient" };
        for (var file = 0; file < 60; file++)
        {
            var bytes = RandomFile(random);
            var expected = Split(bytes, options);
            var actual = new List<(long, string, string?)>();
            await using var stream = new DroppingStream(bytes, long.MaxValue, maxChunk);
            await foreach (var line in NdjsonReader.ReadAsync(stream, options, CancellationToken.None))
            {
                actual.Add((line.LineNumber, Convert.ToHexString(line.Utf8.Span), line.Error));
                Assert.Equal(line.Error is null, line.IsValidUtf8);
            }
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>What the reader promises, written the plain way: the whole file in memory, split at each newline.</summary>
    private static List<(long, string, string?)> Split(byte[] bytes, NdjsonReaderOptions options)
    {
        var lines = new List<(long, string, string?)>();
        var rest = bytes.AsSpan();
        if (rest.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) rest = rest[3..];
        long number = 0;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var raw = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            number++;
            if (raw.Length > options.MaxLineBytes)
            {
                lines.Add((number, "", NdjsonLineError.TooLong(options.MaxLineBytes)));
                continue;
            }
            if (raw.EndsWith((byte)'\r')) raw = raw[..^1];
            if (raw.IndexOfAnyExcept(" \t\r"u8) < 0) continue;
            lines.Add((number, Convert.ToHexString(raw), NdjsonReader.Inspect(raw, options)));
        }
        return lines;
    }

    private static byte[] RandomFile(Random random)
    {
        var text = new StringBuilder();
        if (random.Next(4) == 0) text.Append('\uFEFF');
        var lines = random.Next(0, 40);
        for (var i = 0; i < lines; i++)
        {
            text.Append(random.Next(12) switch
            {
                0 => "",
                1 => " \t ",
                2 => "{\"resourceType\":\"Observation\"}",
                3 => "{not json",
                4 => "{\"resourceType\":\"Patient\",\"note\":\"" + new string('x', random.Next(MaxLineBytes - 40, MaxLineBytes + 40)) + "\"}",
                5 => new string(' ', random.Next(MaxLineBytes - 5, MaxLineBytes + 5)),
                _ => "{\"resourceType\":\"Patient\",\"id\":\"p" + i + "\",\"name\":\"" + new string('é', random.Next(0, 200)) + "\"}",
            });
            if (i < lines - 1 || random.Next(2) == 0) text.Append(random.Next(3) == 0 ? "\r\n" : "\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
