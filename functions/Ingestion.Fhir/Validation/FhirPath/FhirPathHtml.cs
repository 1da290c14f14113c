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
        return !Forbidden().IsMatch(text);
    }

    [GeneratedRegex(@"<\s*(script|object|applet|embed|iframe|frame|frameset|form|input|button|select|textarea|base|link|meta|style)\b|\son[a-z]+\s*=|javascript:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, 2000)]
    private static partial Regex Forbidden();
}
