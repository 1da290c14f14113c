using System.Globalization;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>Recursive-descent parser for FHIRPath (N1 grammar, with the precedence of the specification).</summary>
internal sealed class FhirPathParser
{
    private static readonly string[][] BinaryLevels =
    [
        ["implies"],
        ["or", "xor"],
        ["and"],
        ["in", "contains"],
        ["=", "~", "!=", "!~"],
        ["<=", "<", ">", ">="],
        ["|"],
        ["is", "as"],   // handled specially: right side is a type specifier
        ["+", "-", "&"],
        ["*", "/", "div", "mod"],
    ];

    private readonly List<Token> _tokens;
    private int _pos;

    private FhirPathParser(string text) => _tokens = FhirPathLexer.Tokenize(text);

    public static FhirPathSyntax Parse(string text)
    {
        var parser = new FhirPathParser(text);
        var expression = parser.ParseLevel(0);
        if (parser.Current.Kind != TokenKind.End) throw parser.Error("Unexpected token");
        return expression;
    }

    private Token Current => _tokens[_pos];

    private bool IsOperator(Token token, string op) =>
        (token.Kind == TokenKind.Symbol && token.Text == op) || (token.Kind == TokenKind.Identifier && !token.Delimited && token.Text == op && char.IsAsciiLetter(op[0]));

    private FhirPathSyntax ParseLevel(int level)
    {
        if (level == BinaryLevels.Length) return ParseUnary();
        var left = ParseLevel(level + 1);
        while (true)
        {
            var op = BinaryLevels[level].FirstOrDefault(o => IsOperator(Current, o));
            if (op is null) return left;
            _pos++;
            if (op is "is" or "as")
            {
                left = new TypeOperatorSyntax(op, left, ParseTypeName());
                continue;
            }
            left = new BinarySyntax(op, left, ParseLevel(level + 1));
        }
    }

    private FhirPathSyntax ParseUnary()
    {
        if (Current.Kind == TokenKind.Symbol && Current.Text is "+" or "-")
        {
            var op = Current.Text;
            _pos++;
            var operand = ParseUnary();
            return op == "+" ? operand : new UnarySyntax("-", operand);
        }
        return ParsePostfix(ParseTerm());
    }

    private FhirPathSyntax ParsePostfix(FhirPathSyntax target)
    {
        while (true)
        {
            if (Current.Kind == TokenKind.Symbol && Current.Text == ".")
            {
                _pos++;
                if (Current.Kind != TokenKind.Identifier) throw Error("Identifier expected after '.'");
                var name = Current.Text;
                _pos++;
                if (IsSymbol("("))
                {
                    target = ParseFunction(target, name);
                    continue;
                }
                target = new MemberSyntax(target, name);
            }
            else if (IsSymbol("["))
            {
                _pos++;
                var index = ParseLevel(0);
                Expect("]");
                target = new IndexerSyntax(target, index);
            }
            else return target;
        }
    }

    private FhirPathSyntax ParseTerm()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
            {
                _pos++;
                var value = token.Text.Contains('.', StringComparison.Ordinal)
                    ? (object)decimal.Parse(token.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture)
                    : ParseInteger(token);
                if (Current.Kind == TokenKind.String)
                {
                    var unit = Current.Text;
                    _pos++;
                    return new LiteralSyntax(new FhirPathQuantity(Convert.ToDecimal(value, CultureInfo.InvariantCulture), unit));
                }
                if (Current.Kind == TokenKind.Identifier && !Current.Delimited && FhirPathQuantity.IsCalendarKeyword(Current.Text))
                {
                    var unit = Current.Text;
                    _pos++;
                    return new LiteralSyntax(new FhirPathQuantity(Convert.ToDecimal(value, CultureInfo.InvariantCulture), unit));
                }
                return new LiteralSyntax(value);
            }
            case TokenKind.LongNumber:
                _pos++;
                return new LiteralSyntax(long.Parse(token.Text, CultureInfo.InvariantCulture));
            case TokenKind.String:
                _pos++;
                return new LiteralSyntax(token.Text);
            case TokenKind.DateTime:
            {
                _pos++;
                var text = token.Text;
                var value = text.EndsWith('T') && !text.StartsWith('T')
                    ? FhirPathDateTime.TryParse(text.AsSpan(0, text.Length - 1), FhirPathTemporalKind.DateTime)
                    : FhirPathDateTime.TryParse(text);
                return new LiteralSyntax(value ?? throw Error("Invalid date/time literal", token));
            }
            case TokenKind.Variable:
                _pos++;
                return new VariableSyntax(token.Text);
            case TokenKind.Special:
                _pos++;
                return new SpecialSyntax(token.Text);
            case TokenKind.Identifier:
            {
                _pos++;
                if (!token.Delimited && token.Text is "true" or "false") return new LiteralSyntax(token.Text == "true");
                if (IsSymbol("(")) return ParseFunction(null, token.Text);
                return new IdentifierSyntax(token.Text);
            }
            case TokenKind.Symbol when token.Text == "(":
            {
                _pos++;
                var inner = ParseLevel(0);
                Expect(")");
                return inner;
            }
            case TokenKind.Symbol when token.Text == "{":
                _pos++;
                Expect("}");
                return new LiteralSyntax(null);
            default:
                throw Error("Unexpected token");
        }
    }

    private object ParseInteger(Token token) =>
        int.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? (long)value
            : throw Error("Integer literal out of range", token);

    private FhirPathSyntax ParseFunction(FhirPathSyntax? target, string name)
    {
        Expect("(");
        var arguments = new List<FhirPathSyntax>();
        if (!IsSymbol(")"))
        {
            while (true)
            {
                // Type arguments (ofType(FHIR.string)) parse as member paths; the compiler reads them as type names.
                arguments.Add(ParseLevel(0));
                if (IsSymbol(",")) { _pos++; continue; }
                break;
            }
        }
        Expect(")");
        return new FunctionSyntax(target, name, [.. arguments]);
    }

    private FhirPathTypeName ParseTypeName()
    {
        if (Current.Kind != TokenKind.Identifier) throw Error("Type name expected");
        var first = Current.Text;
        _pos++;
        if (IsSymbol(".") && _tokens[_pos + 1].Kind == TokenKind.Identifier)
        {
            _pos++;
            var name = Current.Text;
            _pos++;
            return new FhirPathTypeName(first, name);
        }
        return new FhirPathTypeName(null, first);
    }

    private bool IsSymbol(string symbol) => Current.Kind == TokenKind.Symbol && Current.Text == symbol;

    private void Expect(string symbol)
    {
        if (!IsSymbol(symbol)) throw Error($"'{symbol}' expected");
        _pos++;
    }

    private FhirPathException Error(string message, Token? token = null) =>
        new(FhirPathErrorKind.Syntax, $"{message} (at {(token ?? Current).Position}).");
}
