using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// The Boolean compilation of an expression, used for invariants: logic (<c>and or xor implies not()</c>) combines
/// three-valued results directly, and <c>exists() empty() hasValue() startsWith('…')</c> over a member path
/// (<c>contained.meta.versionId</c>, <c>%resource.code.coding</c>) count what the path yields on the JSON tree, stopping
/// as soon as the answer is known, without building a collection or an element per step. Everything else is the
/// collection form (<see cref="Compile"/>) read as a Boolean, so both forms give the same answers (the FHIRPath suite
/// and the Firely differential tests run through both).
/// </summary>
internal static partial class FhirPathCompiler
{
    /// <summary>
    /// <paramref name="logicalOperand"/>: an operand of and/or/xor/implies (several items count as true, see
    /// <see cref="Logical"/>); otherwise the singleton Boolean of the whole expression (<see cref="AsBoolean"/>).
    /// </summary>
    public static FhirPathCondition CompileCondition(FhirPathSyntax syntax, bool logicalOperand)
    {
        switch (syntax)
        {
            case BinarySyntax { Operator: "and" or "or" or "xor" or "implies" } logic:
                return CompileLogic(logic.Operator, CompileCondition(logic.Left, true), CompileCondition(logic.Right, true));
            case BinarySyntax { Operator: "=" or "!=" } equality when IsBooleanValued(equality.Left) && IsBooleanValued(equality.Right):
            {
                // Two Booleans (ext-1: extension.exists() != value.exists()): unknown if either is empty.
                var left = CompileCondition(equality.Left, false);
                var right = CompileCondition(equality.Right, false);
                var negate = equality.Operator == "!=";
                return (s, c) => left(s, c) is { } a && right(s, c) is { } b ? (a == b) != negate : null;
            }
            case FunctionSyntax { Name: "not", Arguments.Length: 0, Target: { } target }:
            {
                var operand = CompileCondition(target, false);
                return (s, c) => operand(s, c) is { } b ? !b : null;
            }
            case FunctionSyntax { Name: "exists" or "empty", Arguments.Length: 0, Target: { } target } f:
            {
                var count = CompileCounter(target);
                if (f.Name == "exists") return (s, c) => count(s, c, 1, out _) > 0;
                return (s, c) => count(s, c, 1, out _) == 0;
            }
            case FunctionSyntax { Name: "hasValue", Arguments.Length: 0, Target: { } target }:
            {
                var count = CompileCounter(target);
                return (s, c) => count(s, c, 2, out var last) == 1 && last.HasPrimitiveValue;
            }
            case FunctionSyntax { Name: "startsWith", Arguments: [LiteralSyntax { Value: string prefix }], Target: { } target } f when TryMemberPath(target, out _, out _):
                return CompileStartsWith(CompileCounter(target), Encoding.UTF8.GetBytes(prefix), Compile(f), logicalOperand);
        }
        var evaluator = Compile(syntax);
        if (logicalOperand) return (s, c) => Logical(evaluator(s, c));
        return (s, c) => AsBoolean(evaluator(s, c));
    }

    private static FhirPathCondition CompileLogic(string op, FhirPathCondition left, FhirPathCondition right) => op switch
    {
        "and" => (s, c) =>
        {
            var a = left(s, c);
            if (a == false) return false;
            var b = right(s, c);
            if (b == false) return false;
            return a == true && b == true ? true : null;
        },
        "or" => (s, c) =>
        {
            var a = left(s, c);
            if (a == true) return true;
            var b = right(s, c);
            if (b == true) return true;
            return a == false && b == false ? false : null;
        },
        "xor" => (s, c) =>
        {
            var a = left(s, c);
            var b = right(s, c);
            return a is null || b is null ? null : a != b;
        },
        _ => (s, c) =>
        {
            var a = left(s, c);
            if (a == false) return true;
            var b = right(s, c);
            if (b == true) return true;
            return a == true && b == false ? false : null;
        },
    };

    /// <summary>Expressions whose collection form is always a single Boolean or empty.</summary>
    private static bool IsBooleanValued(FhirPathSyntax syntax) => syntax is
        BinarySyntax { Operator: "and" or "or" or "xor" or "implies" }
        or FunctionSyntax { Name: "not" or "exists" or "empty" or "hasValue", Arguments.Length: 0, Target: not null };

    /// <summary>Counts the items of a collection up to a limit; <c>last</c> is the last one counted when it came from a member path.</summary>
    private delegate int FhirPathCounter(FhirPathScope scope, IReadOnlyList<object> focus, int limit, out FhirPathCursor last);

    private static FhirPathCounter CompileCounter(FhirPathSyntax target)
    {
        var evaluator = Compile(target);
        if (!TryMemberPath(target, out var root, out var names))
        {
            return (s, c, _, out last) =>
            {
                var items = evaluator(s, c);
                last = items.Count > 0 && items[^1] is FhirPathElement e ? new FhirPathCursor(e.Value, e.Shadow, e.Type, e.Table) : default;
                return items.Count;
            };
        }
        var shadowNames = names.Select(n => "_" + n).ToArray();
        var steps = FhirPathStepCache.ForPath(names);
        return (s, c, limit, out last) =>
        {
            last = default;
            var from = root switch
            {
                PathRoot.Resource => s.Resource is { } r ? r : null,
                PathRoot.RootResource => s.RootResource is { } r ? r : null,
                PathRoot.This when s.This is not null => s.This,
                _ => (object)c,
            };
            var count = 0;
            switch (from)
            {
                case null:
                    return 0;
                case FhirPathTypeInfo:
                    return evaluator(s, c).Count; // type().name: not a JSON path
                case FhirPathElement element:
                    return FhirPathNavigator.CountPath(s.Model, new FhirPathCursor(element.Value, element.Shadow, element.Type, element.Table), names, shadowNames, 0, limit, ref last, steps);
                case IReadOnlyList<object> items:
                    foreach (var item in items)
                    {
                        if (item is FhirPathElement e)
                            count += FhirPathNavigator.CountPath(s.Model, new FhirPathCursor(e.Value, e.Shadow, e.Type, e.Table), names, shadowNames, 0, limit - count, ref last, steps);
                        else if (item is FhirPathTypeInfo) return evaluator(s, c).Count; // type().name: not a JSON path
                        if (count >= limit) break;
                    }
                    return count;
                default:
                    return 0; // a System value has no members
            }
        };
    }

    private enum PathRoot
    {
        Focus,
        This,
        Resource,
        RootResource,
    }

    /// <summary>A chain of member names from the focus, $this, %resource or %rootResource (<c>contained.meta.versionId</c>).</summary>
    private static bool TryMemberPath(FhirPathSyntax syntax, out PathRoot root, out string[] names)
    {
        var reversed = new List<string>();
        while (syntax is MemberSyntax member)
        {
            reversed.Add(member.Name);
            syntax = member.Target;
        }
        root = PathRoot.Focus;
        switch (syntax)
        {
            // An upper-case first name may be the resource type (Patient.name): the collection form decides that.
            case IdentifierSyntax identifier when !char.IsAsciiLetterUpper(identifier.Name[0]):
                reversed.Add(identifier.Name);
                break;
            case SpecialSyntax { Name: "$this" }:
                root = PathRoot.This;
                break;
            case VariableSyntax { Name: "resource" }:
                root = PathRoot.Resource;
                break;
            case VariableSyntax { Name: "rootResource" }:
                root = PathRoot.RootResource;
                break;
            default:
                names = [];
                return false;
        }
        reversed.Reverse();
        names = reversed.ToArray();
        return names.Length > 0;
    }

    /// <summary>
    /// <c>path.startsWith('literal')</c> on the UTF-8 bytes of a plain JSON string (ref-1 on every Reference); a
    /// date/time, a number, an escaped string or several items take the collection form (same answer, or its error).
    /// </summary>
    private static FhirPathCondition CompileStartsWith(FhirPathCounter count, byte[] prefix, FhirPathEvaluator general, bool logicalOperand) => (s, c) =>
    {
        var n = count(s, c, 2, out var last);
        if (n == 0) return null;
        if (n == 1 && last.Value.ValueKind == JsonValueKind.String && last.Type is not ("date" or "dateTime" or "instant" or "time"))
        {
            var raw = PrimitiveFormats.Unquote(last.Value.RawUtf8);
            if (raw.IndexOf((byte)'\\') < 0) return raw.StartsWith(prefix);
        }
        var items = general(s, c);
        return logicalOperand ? Logical(items) : AsBoolean(items);
    };
}
