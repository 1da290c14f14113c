namespace Ingestion.Infra.Tests.Settings;

/// <summary>
/// A setting name split into configuration path segments ("Sources__demo__Smart__ClientId" and
/// "Sources:demo:Smart:ClientId" are the same setting), where a segment may be a placeholder:
/// <see cref="AnyKey"/> for a dictionary key (a source id) and <see cref="AnyIndex"/> for a list index.
/// Configuration keys are case-insensitive, so segments compare that way.
/// </summary>
public sealed record SettingPattern(IReadOnlyList<string> Segments)
{
    public const string AnyKey = "{key}";
    public const string AnyIndex = "{index}";

    public static SettingPattern Parse(string name) =>
        new(name.Replace(":", "__", StringComparison.Ordinal).Split("__"));

    /// <summary>Whether <paramref name="other"/> (a concrete name or another pattern) is a setting this pattern describes.</summary>
    public bool Covers(SettingPattern other)
    {
        if (other.Segments.Count != Segments.Count) return false;
        for (var i = 0; i < Segments.Count; i++)
        {
            var mine = Segments[i];
            var theirs = other.Segments[i];
            var match = mine switch
            {
                AnyKey => true, // a dictionary key may be anything, digits included
                AnyIndex => theirs == AnyIndex || theirs.All(char.IsAsciiDigit) && theirs.Length > 0,
                _ => string.Equals(mine, theirs, StringComparison.OrdinalIgnoreCase),
            };
            if (!match) return false;
        }
        return true;
    }

    public override string ToString() => string.Join("__", Segments);
}
