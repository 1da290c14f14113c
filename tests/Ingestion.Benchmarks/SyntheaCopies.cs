using System.Text;

namespace Ingestion.Benchmarks;

/// <summary>
/// N copies of a Synthea export as distinct resources: copy k's files are `{Type}.{k:D3}.ndjson`, and in every line
/// each UUID (ids, `Type/uuid` and `urn:uuid:` references, identifiers) gets k as its first three hex digits, so
/// references stay consistent within a copy and no two copies share an id. A top-level id that is not a UUID
/// (Synthea's Group ids) gets "-k" appended. The folder is reused when it already holds the expected files.
/// </summary>
internal static class SyntheaCopies
{
    public static async Task<(int Files, long Lines, long Bytes)> EnsureAsync(string source, string folder, int copies, CancellationToken cancellationToken)
    {
        var inputs = Directory.EnumerateFiles(source, "*.ndjson").Order(StringComparer.Ordinal).ToList();
        var done = Path.Combine(folder, ".complete");
        if (!File.Exists(done))
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.CreateDirectory(folder);
            for (var k = 0; k < copies; k++)
            {
                foreach (var input in inputs)
                {
                    var type = Path.GetFileNameWithoutExtension(input);
                    await using var writer = new FileStream(Path.Combine(folder, $"{type}.{k:D3}.ndjson"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                    foreach (var line in File.ReadLines(input, Encoding.UTF8))
                    {
                        if (line.Length == 0) continue;
                        await writer.WriteAsync(Encoding.UTF8.GetBytes(Rewrite(line, k)), cancellationToken);
                        writer.WriteByte((byte)'\n');
                    }
                }
            }
            await File.WriteAllTextAsync(done, copies.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        }
        var files = Directory.EnumerateFiles(folder, "*.ndjson").ToList();
        long lines = 0, bytes = 0;
        foreach (var file in files)
        {
            bytes += new FileInfo(file).Length;
            foreach (var _ in File.ReadLines(file)) lines++;
        }
        return (files.Count, lines, bytes);
    }

    internal static string Rewrite(string line, int copy)
    {
        var prefix = copy.ToString("x3", System.Globalization.CultureInfo.InvariantCulture);
        var chars = line.ToCharArray();
        for (var i = 0; i + 36 <= chars.Length; i++)
        {
            if (!IsUuidAt(chars, i)) continue;
            chars[i] = prefix[0];
            chars[i + 1] = prefix[1];
            chars[i + 2] = prefix[2];
            i += 35;
        }
        var text = new string(chars);
        const string idKey = "\"id\":\"";
        var id = text.IndexOf(idKey, StringComparison.Ordinal);
        if (id < 0) return text;
        var start = id + idKey.Length;
        var end = text.IndexOf('"', start);
        return end - start == 36 && IsUuidAt(chars, start) ? text : text[..end] + "-" + copy.ToString(System.Globalization.CultureInfo.InvariantCulture) + text[end..];
    }

    private static bool IsUuidAt(char[] s, int i)
    {
        if (i > 0 && char.IsAsciiHexDigit(s[i - 1])) return false;
        for (var j = 0; j < 36; j++)
        {
            var c = s[i + j];
            var dash = j is 8 or 13 or 18 or 23;
            if (dash ? c != '-' : !char.IsAsciiHexDigit(c)) return false;
        }
        return i + 36 == s.Length || !char.IsAsciiHexDigit(s[i + 36]);
    }
}
