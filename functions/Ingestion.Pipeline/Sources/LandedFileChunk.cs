using System.Globalization;

namespace Ingestion.Pipeline.Sources;

/// <summary>
/// A line-aligned byte range of a landed NDJSON file, so one big file becomes several activities that run in
/// parallel. Carried in the manifest entry's URL fragment ("Observation.ndjson#offset=0&amp;length=67108912&amp;line=1"),
/// which keeps it in the checkpointed activity. <see cref="FirstLine"/> keeps quarantine line numbers file-absolute.
/// </summary>
public sealed record LandedFileChunk(string File, long Offset, long Length, long FirstLine)
{
    public string ToUrl() => string.Create(CultureInfo.InvariantCulture, $"{File}#offset={Offset}&length={Length}&line={FirstLine}");

    /// <summary>The chunk a URL names, or null for a whole file.</summary>
    public static LandedFileChunk? Parse(string url)
    {
        var hash = url.IndexOf('#');
        if (hash < 0) return null;
        long offset = -1, length = -1, line = -1;
        foreach (var pair in url[(hash + 1)..].Split('&'))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0 || !long.TryParse(pair[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var value)) continue;
            switch (pair[..eq])
            {
                case "offset": offset = value; break;
                case "length": length = value; break;
                case "line": line = value; break;
            }
        }
        if (offset < 0 || length < 0 || line < 1) throw new InvalidDataException($"'{url}' does not name a valid file chunk.");
        return new LandedFileChunk(url[..hash], offset, length, line);
    }

    /// <summary>Splits a file at the first line end after every <paramref name="chunkBytes"/> (one sequential scan).</summary>
    public static async Task<IReadOnlyList<LandedFileChunk>> SplitAsync(string file, string path, long chunkBytes, CancellationToken cancellationToken)
    {
        var chunks = new List<LandedFileChunk>();
        var buffer = new byte[1 << 20];
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        long position = 0, start = 0, lines = 0, firstLine = 1;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            var at = 0;
            int i;
            while ((i = span[at..].IndexOf((byte)'\n')) >= 0)
            {
                at += i + 1;
                lines++;
                var end = position + at;
                if (end - start < chunkBytes) continue;
                chunks.Add(new LandedFileChunk(file, start, end - start, firstLine));
                start = end;
                firstLine = lines + 1;
            }
            position += read;
        }
        if (position > start) chunks.Add(new LandedFileChunk(file, start, position - start, firstLine));
        return chunks;
    }
}
