using System.Text;

namespace Ingestion.Fhir.Validation.FhirPath;

internal enum TokenKind
{
    End,
    Identifier,       // plain or `delimited`
    String,
    Number,
    LongNumber,
    DateTime,         // @... (text without '@')
    Variable,         // %name, %`name`, %'name'
    Special,          // $this, $index, $total
    Symbol,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Position, bool Delimited = false);

/// <summary>Splits FHIRPath text into tokens (comments skipped, string escapes decoded).</summary>
internal static class FhirPathLexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length)
            {
                if (char.IsWhiteSpace(text[i])) i++;
                else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/')
                {
                    while (i < text.Length && text[i] != '\n') i++;
                }
                else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '*')
                {
                    var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    if (end < 0) throw Syntax("Unterminated comment.", i);
                    i = end + 2;
                }
                else break;
            }
            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", i));
                return tokens;
            }
            var start = i;
            var c = text[i];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Identifier, text[start..i], start));
            }
            else if (c == '`')
            {
                tokens.Add(new Token(TokenKind.Identifier, Quoted(text, ref i, '`'), start, Delimited: true));
            }
            else if (c == '\'')
            {
                tokens.Add(new Token(TokenKind.String, Quoted(text, ref i, '\''), start));
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                }
                if (i < text.Length && text[i] == 'L' && !(i + 1 < text.Length && char.IsAsciiLetterOrDigit(text[i + 1])))
                {
                    tokens.Add(new Token(TokenKind.LongNumber, text[start..i], start));
                    i++;
                }
                else tokens.Add(new Token(TokenKind.Number, text[start..i], start));
            }
            else if (c == '@')
            {
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '-' or ':' or '.' or '+'))
                {
                    // '+'/'-' only belong to a time-zone offset directly followed by digits and after a time part.
                    if (text[i] is '+' && !(i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))) break;
                    if (text[i] == '.' && !(i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))) break;
                    i++;
                }
                tokens.Add(new Token(TokenKind.DateTime, text[(start + 1)..i], start));
            }
            else if (c == '%')
            {
                i++;
                if (i < text.Length && text[i] == '`') tokens.Add(new Token(TokenKind.Variable, Quoted(text, ref i, '`'), start));
                else if (i < text.Length && text[i] == '\'') tokens.Add(new Token(TokenKind.Variable, Quoted(text, ref i, '\''), start));
                else
                {
                    var nameStart = i;
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-')) i++;
                    if (i == nameStart) throw Syntax("Variable name expected after '%'.", start);
                    tokens.Add(new Token(TokenKind.Variable, text[nameStart..i], start));
                }
            }
            else if (c == '$')
            {
                i++;
                while (i < text.Length && char.IsAsciiLetter(text[i])) i++;
                var name = text[start..i];
                if (name is not ("$this" or "$index" or "$total")) throw Syntax("Unknown special variable.", start);
                tokens.Add(new Token(TokenKind.Special, name, start));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                if (two is "<=" or ">=" or "!=" or "!~")
                {
                    tokens.Add(new Token(TokenKind.Symbol, two, start));
                    i += 2;
                }
                else if ("().[],+-*/&|<>=~{}".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(new Token(TokenKind.Symbol, c.ToString(), start));
                    i++;
                }
                else throw Syntax("Unexpected character.", start);
            }
        }
    }

    private static string Quoted(string text, ref int i, char quote)
    {
        var start = i;
        i++;
        var b = new StringBuilder();
        while (true)
        {
            if (i >= text.Length) throw Syntax("Unterminated string or identifier.", start);
            var c = text[i];
            if (c == quote)
            {
                i++;
                return b.ToString();
            }
            if (c == '\\')
            {
                if (i + 1 >= text.Length) throw Syntax("Unterminated escape.", i);
                var e = text[i + 1];
                i += 2;
                switch (e)
                {
                    case 'n': b.Append('\n'); break;
                    case 'r': b.Append('\r'); break;
                    case 't': b.Append('\t'); break;
                    case 'f': b.Append('\f'); break;
                    case 'u':
                        if (i + 4 > text.Length || !int.TryParse(text.AsSpan(i, 4), System.Globalization.NumberStyles.HexNumber, null, out var code)) throw Syntax("Invalid unicode escape.", i);
                        b.Append((char)code);
                        i += 4;
                        break;
                    default: b.Append(e); break; // \' \" \` \\ \/
                }
                continue;
            }
            b.Append(c);
            i++;
        }
    }

    private static FhirPathException Syntax(string message, int position) =>
        new(FhirPathErrorKind.Syntax, $"{message} (at {position})");
}
