using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// <c>htmlChecks()</c> for <c>Narrative.div</c> (txt-1/txt-2): the XHTML must be a <c>div</c>, contain no active or
/// embedding elements (script, object, applet, embed, iframe, form, input, button, base, link, meta, style sheets),
/// no event attributes (<c>on*</c>) and no <c>javascript:</c> URLs. A lexical check, not a full XHTML schema validation.
/// </summary>
internal static partial class FhirPathHtml
{
    public static bool IsSafe(object item)
    {
        var text = item switch
        {
            string s => s,
            FhirPathElement { Value.ValueKind: JsonValueKind.String } e => e.Value.GetString()!,
            _ => null,
        };
        if (text is null) return false;
        var trimmed = text.TrimStart();
        if (!trimmed.StartsWith("<div", StringComparison.Ordinal)) return false;
        return !HasForbidden(text);
    }

    /// <summary>
    /// Whether <see cref="Forbidden"/> matches. ASCII text (every Synthea narrative) is scanned by
    /// <see cref="AsciiHasForbidden"/>: building the non-backtracking regex costs a process ~0.1 CPU-s, more than all
    /// the narratives of a run; text with other characters, where case folding and <c>\s</c>/<c>\b</c> reach beyond
    /// ASCII, goes to the regex.
    /// </summary>
    internal static bool HasForbidden(string text) => Ascii.IsValid(text) ? AsciiHasForbidden(text) : Forbidden().IsMatch(text);

    private static readonly string[] ForbiddenTags = ["script", "object", "applet", "embed", "iframe", "frame", "frameset", "form", "input", "button", "select", "textarea", "base", "link", "meta", "style"];

    /// <summary>
    /// <see cref="Forbidden"/> on ASCII text, where the regex's options mean: letters compared ignoring ASCII case,
    /// <c>\s</c> = tab, line feed, vertical tab, form feed, carriage return, space; <c>\b</c> after a tag name = the
    /// end or a character outside [A-Za-z0-9_].
    /// </summary>
    internal static bool AsciiHasForbidden(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '<' when ForbiddenTagAt(text, i + 1):
                    return true;
                case ' ' or '\t' or '\n' or '\v' or '\f' or '\r' when EventAttributeAt(text, i + 1):
                    return true;
                case 'j' or 'J' when StartsWithIgnoringCase(text[i..], "javascript:"):
                    return true;
            }
        }
        return false;
    }

    /// <summary><c>\s*(script|object|...)\b</c> from <paramref name="start"/>.</summary>
    private static bool ForbiddenTagAt(ReadOnlySpan<char> text, int start)
    {
        while (start < text.Length && IsSpace(text[start])) start++;
        var rest = text[start..];
        foreach (var tag in ForbiddenTags)
        {
            if (StartsWithIgnoringCase(rest, tag) && (rest.Length == tag.Length || !IsWordChar(rest[tag.Length]))) return true;
        }
        return false;
    }

    /// <summary><c>on[a-z]+\s*=</c> from <paramref name="start"/> (after a <c>\s</c>).</summary>
    private static bool EventAttributeAt(ReadOnlySpan<char> text, int start)
    {
        if (!StartsWithIgnoringCase(text[start..], "on")) return false;
        var i = start + 2;
        var letters = i;
        while (i < text.Length && char.IsAsciiLetter(text[i])) i++;
        if (i == letters) return false;
        // The letters and spaces are maximal runs: a shorter [a-z]+ is followed by a letter, not by \s or '='.
        while (i < text.Length && IsSpace(text[i])) i++;
        return i < text.Length && text[i] == '=';
    }

    private static bool StartsWithIgnoringCase(ReadOnlySpan<char> text, string lowercase) =>
        text.Length >= lowercase.Length && Ascii.EqualsIgnoreCase(text[..lowercase.Length], lowercase);

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    [GeneratedRegex(@"<\s*(script|object|applet|embed|iframe|frame|frameset|form|input|button|select|textarea|base|link|meta|style)\b|\son[a-z]+\s*=|javascript:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, 2000)]
    internal static partial Regex Forbidden();
}
