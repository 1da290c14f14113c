using System.Globalization;
using System.Text;

namespace Ingestion.Azure.Cosmos;

/// <summary>
/// Cosmos DB ids may not contain '/', '\', '?' or '#'; the state store's ids may (e.g. "activity/omop/person").
/// Those characters (and '~', the escape itself) are written as ~XX, reversibly. '~' rather than '%' because ids
/// travel in URLs, where a '%' sequence may be decoded once too often.
/// </summary>
internal static class CosmosDocumentId
{
    public static string Escape(string id)
    {
        if (id.AsSpan().IndexOfAny("/\\?#~") < 0) return id;
        var builder = new StringBuilder(id.Length + 8);
        foreach (var c in id)
        {
            if (c is '/' or '\\' or '?' or '#' or '~') builder.Append('~').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else builder.Append(c);
        }
        return builder.ToString();
    }

    public static string Unescape(string id)
    {
        if (!id.Contains('~')) return id;
        var builder = new StringBuilder(id.Length);
        for (var i = 0; i < id.Length; i++)
        {
            if (id[i] == '~' && i + 2 < id.Length && int.TryParse(id.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                builder.Append((char)code);
                i += 2;
            }
            else builder.Append(id[i]);
        }
        return builder.ToString();
    }
}
