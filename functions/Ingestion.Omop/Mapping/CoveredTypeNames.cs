using System.Text;

namespace Ingestion.Omop;

/// <summary>
/// The <c>resourceType</c> text of each <see cref="CoveredType"/>: its shared string (none made per resource) and its
/// UTF-8, found by length first. Every resource is matched once; a scan of all covered names compared up to 19 of
/// them (a Claim or an EOB, the last ones, every one).
/// </summary>
internal static class CoveredTypeNames
{
    private static readonly string[] Names = Enum.GetNames<CoveredType>();

    // By UTF-8 length, the covered types of that length (at most three share one).
    private static readonly (byte[] Utf8, CoveredType Type)[][] ByLength = BuildByLength();

    /// <summary>The type's name, as <c>resourceType</c> spells it (a shared string).</summary>
    public static string Name(CoveredType type) => Names[(int)type];

    /// <summary>The covered type whose name is exactly <paramref name="utf8"/> (unescaped UTF-8), else null.</summary>
    public static CoveredType? Match(ReadOnlySpan<byte> utf8)
    {
        if ((uint)utf8.Length >= (uint)ByLength.Length) return null;
        foreach (var (name, type) in ByLength[utf8.Length])
        {
            if (utf8.SequenceEqual(name)) return type;
        }
        return null;
    }

    /// <summary>The covered type named <paramref name="text"/> (decoded text), else null.</summary>
    public static CoveredType? Match(string text)
    {
        var index = Array.IndexOf(Names, text);
        return index >= 0 ? (CoveredType)index : null;
    }

    private static (byte[] Utf8, CoveredType Type)[][] BuildByLength()
    {
        var named = Enum.GetValues<CoveredType>().Select(t => (Utf8: Encoding.UTF8.GetBytes(t.ToString()), Type: t)).ToArray();
        var byLength = new (byte[], CoveredType)[named.Max(n => n.Utf8.Length) + 1][];
        for (var length = 0; length < byLength.Length; length++) byLength[length] = named.Where(n => n.Utf8.Length == length).ToArray();
        return byLength;
    }
}
