namespace Ingestion.Infra.Tests.Settings;

/// <summary>
/// Just enough reading of ARM expression text to step over a call and take the argument after it: parentheses are
/// counted outside single-quoted strings ('' is an escaped quote inside one).
/// </summary>
public static class ArmExpressionText
{
    /// <summary>Index just past the ')' that closes the call starting at <paramref name="start"/>.</summary>
    public static int EndOfCall(string text, int start)
    {
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\'') i = EndOfString(text, i);
            else if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return i + 1;
        }
        throw new FormatException("unbalanced parentheses in ARM expression");
    }

    /// <summary>The argument that follows position <paramref name="start"/> (", arg"), up to the next top-level ',' or ')'.</summary>
    public static string NextArgument(string text, int start)
    {
        var i = start;
        while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i]))) i++;
        var begin = i;
        var depth = 0;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\'') i = EndOfString(text, i);
            else if (c is '(' or '[') depth++;
            else if (c is ')' or ']' && depth-- == 0) break;
            else if (c == ',' && depth == 0) break;
        }
        return text[begin..i].Trim();
    }

    private static int EndOfString(string text, int quote)
    {
        for (var i = quote + 1; i < text.Length; i++)
        {
            if (text[i] != '\'') continue;
            if (i + 1 < text.Length && text[i + 1] == '\'') { i++; continue; }
            return i;
        }
        throw new FormatException("unterminated string in ARM expression");
    }
}
