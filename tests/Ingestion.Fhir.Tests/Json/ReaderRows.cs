using System.Text.Json;
using Ingestion.Fhir.Json;

namespace Ingestion.Fhir.Tests.Json;

/// <summary>
/// The oracle for <see cref="DocumentTokenizer"/>: the row table built from <see cref="Utf8JsonReader"/>'s tokens with
/// default options (the loop <see cref="ResourceDocument"/> used before it had a tokenizer of its own), and whether the
/// reader accepts the text at all.
/// </summary>
internal static class ReaderRows
{
    /// <summary>The rows, or null when the reader refuses the text (it throws <see cref="JsonException"/>).</summary>
    public static DocumentRow[]? Build(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        var rows = new List<DocumentRow>();
        var open = new Stack<int>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                var start = (int)reader.TokenStartIndex;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    var opener = open.Pop();
                    rows[opener] = rows[opener] with { Length = start - rows[opener].Start + 1, Next = rows.Count };
                    continue;
                }
                if (token != JsonTokenType.PropertyName && open.Count > 0 && rows[open.Peek()].Kind == JsonValueKind.Array) CountChild(rows, open.Peek());
                switch (token)
                {
                    case JsonTokenType.PropertyName:
                        CountChild(rows, open.Peek());
                        rows.Add(new DocumentRow { Start = start + 1, Length = reader.ValueSpan.Length, Next = rows.Count + 1, Kind = JsonValueKind.Undefined, HasEscapes = reader.ValueIsEscaped });
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        open.Push(rows.Count);
                        rows.Add(new DocumentRow { Start = start, Kind = token == JsonTokenType.StartObject ? JsonValueKind.Object : JsonValueKind.Array });
                        break;
                    case JsonTokenType.String:
                        rows.Add(new DocumentRow { Start = start + 1, Length = reader.ValueSpan.Length, Next = rows.Count + 1, Kind = JsonValueKind.String, HasEscapes = reader.ValueIsEscaped });
                        break;
                    case JsonTokenType.Number:
                        rows.Add(new DocumentRow { Start = start, Length = reader.ValueSpan.Length, Next = rows.Count + 1, Kind = JsonValueKind.Number });
                        break;
                    case JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null:
                        rows.Add(new DocumentRow
                        {
                            Start = start, Length = reader.ValueSpan.Length, Next = rows.Count + 1,
                            Kind = token switch { JsonTokenType.True => JsonValueKind.True, JsonTokenType.False => JsonValueKind.False, _ => JsonValueKind.Null },
                        });
                        break;
                    default:
                        throw new InvalidOperationException($"token {token} under default options");
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        return rows.ToArray();
    }

    private static void CountChild(List<DocumentRow> rows, int container) => rows[container] = rows[container] with { Count = rows[container].Count + 1 };

    /// <summary>
    /// The tokenizer's rows (trimmed to the count), or null when it refuses the text with a <see cref="JsonException"/>.
    /// It starts with 4 rows and doubles them each time they run out, so most texts also run out and start again.
    /// </summary>
    public static DocumentRow[]? Tokenize(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        var rows = new DocumentRow[4];
        try
        {
            int count;
            while ((count = DocumentTokenizer.Fill(utf8, maxDepth, rows, out _)) < 0) rows = new DocumentRow[rows.Length * 2];
            return rows[..count];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Null when the tokenizer agrees with the reader (both refuse, or both accept with equal rows), else what differs (no content).</summary>
    public static string? Disagreement(ReadOnlySpan<byte> utf8, int maxDepth = 512)
    {
        var expected = Build(utf8, maxDepth);
        var actual = Tokenize(utf8, maxDepth);
        if (expected is null || actual is null)
            return (expected is null) == (actual is null) ? null : expected is null ? "the reader refuses, the tokenizer accepts" : "the reader accepts, the tokenizer refuses";
        if (expected.Length != actual.Length) return $"{actual.Length} rows against the reader's {expected.Length}";
        for (var i = 0; i < expected.Length; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            if (e.Start != a.Start || e.Length != a.Length || e.Next != a.Next || e.Count != a.Count || e.Kind != a.Kind || e.HasEscapes != a.HasEscapes)
                return $"row {i}: ({a.Kind} {a.Start}+{a.Length} next {a.Next} count {a.Count} escaped {a.HasEscapes}) against the reader's ({e.Kind} {e.Start}+{e.Length} next {e.Next} count {e.Count} escaped {e.HasEscapes})";
        }
        return null;
    }
}
