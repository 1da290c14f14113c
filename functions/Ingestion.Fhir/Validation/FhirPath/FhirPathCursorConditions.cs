using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>A Boolean answer of the cursor form: three-valued (<see cref="Empty"/> is the empty collection), or undecided here.</summary>
internal enum FhirPathTruth : byte
{
    False,
    True,
    Empty,
    /// <summary>The cursor form cannot answer on this input (a shape it does not handle): the full form must.</summary>
    Undecided,
}

/// <summary>An invariant's Boolean form over a cursor (no <see cref="FhirPathElement"/>, no scope, no allocation).</summary>
internal delegate FhirPathTruth FhirPathCursorCondition(in FhirPathCursor focus);

/// <summary>
/// The cursor form of an invariant: the subset of the Boolean form (<see cref="CompileCondition"/>) that needs nothing
/// but the focus's JSON — logic, <c>not()</c>, Boolean <c>=</c>/<c>!=</c>, <c>exists() empty() hasValue()</c> over
/// member paths from the focus, and a member path compared with a string literal. It runs the same counting
/// (<see cref="FhirPathNavigator.CountPath"/>) in the same order, so it gives the same answers; where the Boolean form
/// would build a collection, the cursor form answers <see cref="FhirPathTruth.Undecided"/> (evaluated in full then),
/// except that a function over a member path that yields nothing (<c>component.code.where(…)</c>) yields nothing;
/// <c>where(criterion)</c> over a member path or on the focus counts the items a criterion of the cursor form holds
/// on; <c>count()</c> of those, sums and integer literals compare; and an operand of <c>and</c>, <c>or</c>,
/// <c>implies</c> of another shape is undecided where it is reached.
/// Most constraints of Synthea's resources and data types (<c>qty-3</c>, <c>obs-6</c>, <c>us-core-2</c>, <c>vs-2</c>,
/// <c>us-core-8/9</c>, <c>dom-2/4/5</c>) are of this shape; evaluated this way they skip materialising the element
/// with its parents, resetting the scope and building collections.
/// </summary>
internal static partial class FhirPathCompiler
{
    /// <summary>The cursor form of an invariant's expression, or null when some part of it needs the full form.</summary>
    public static FhirPathCursorCondition? CompileCursorCondition(FhirPathSyntax syntax, FhirPathModel model)
    {
        switch (syntax)
        {
            case BinarySyntax { Operator: "or" } choice when StringChoices(choice) is { } choices:
                return CursorStringIn(model, choices.Names, choices.Literals);
            case BinarySyntax { Operator: "and" or "or" or "implies" } logic:
            {
                // An operand of another shape is undecided where it is reached (ctm-1's member.resolve() behind a
                // rarely present onBehalfOf): logic met in the Boolean form's order reaches it exactly where that
                // form would evaluate it, and the whole is then left to the expression.
                var left = CompileCursorCondition(logic.Left, model);
                var right = CompileCursorCondition(logic.Right, model);
                if (left is null && right is null) return null;
                return CursorLogic(logic.Operator, left ?? CursorUndecided, right ?? CursorUndecided);
            }
            case BinarySyntax { Operator: "xor" } logic:
            {
                if (CompileCursorCondition(logic.Left, model) is not { } left || CompileCursorCondition(logic.Right, model) is not { } right) return null;
                return CursorLogic(logic.Operator, left, right);
            }
            case BinarySyntax { Operator: "=" or "!=" or "<" or "<=" or ">" or ">=" } comparison
                when CompileCursorInteger(comparison.Left, model) is { } left && CompileCursorInteger(comparison.Right, model) is { } right:
                return CursorCompare(comparison.Operator, left, right);
            case BinarySyntax { Operator: "=" or "!=" } equality when IsBooleanValued(equality.Left) && IsBooleanValued(equality.Right):
            {
                if (CompileCursorCondition(equality.Left, model) is not { } left || CompileCursorCondition(equality.Right, model) is not { } right) return null;
                var negate = equality.Operator == "!=";
                return (in FhirPathCursor c) =>
                {
                    var a = left(c);
                    if (a == FhirPathTruth.Undecided) return a;
                    var b = right(c);
                    if (b == FhirPathTruth.Undecided) return b;
                    if (a == FhirPathTruth.Empty || b == FhirPathTruth.Empty) return FhirPathTruth.Empty;
                    return Truth((a == b) != negate);
                };
            }
            case BinarySyntax { Operator: "=" or "!=", Right: LiteralSyntax { Value: string literal } } equality when TryFocusPath(equality.Left, out var names):
                return CursorStringEquals(model, names, Encoding.UTF8.GetBytes(literal), equality.Operator == "!=");
            case FunctionSyntax { Name: "not", Arguments.Length: 0, Target: { } target }:
            {
                if (CompileCursorCondition(target, model) is not { } operand) return null;
                return (in FhirPathCursor c) => operand(c) switch
                {
                    FhirPathTruth.True => FhirPathTruth.False,
                    FhirPathTruth.False => FhirPathTruth.True,
                    var other => other,
                };
            }
            case FunctionSyntax { Name: "exists" or "empty", Arguments.Length: 0, Target: { } target } f:
            {
                if (CompileCursorCounter(target, model, keepLast: false) is not { } count) return null;
                var exists = f.Name == "exists";
                return (in FhirPathCursor c) =>
                {
                    var n = count(c, 1, out _);
                    return n < 0 ? FhirPathTruth.Undecided : Truth(n > 0 == exists);
                };
            }
            case FunctionSyntax { Name: "hasValue", Arguments.Length: 0, Target: { } target }:
            {
                if (CompileCursorCounter(target, model, keepLast: true) is not { } count) return null;
                return (in FhirPathCursor c) =>
                {
                    var n = count(c, 2, out var last);
                    return n < 0 ? FhirPathTruth.Undecided : Truth(n == 1 && last.HasPrimitiveValue);
                };
            }
            default:
                return null;
        }
    }

    private static FhirPathTruth Truth(bool value) => value ? FhirPathTruth.True : FhirPathTruth.False;

    /// <summary>An operand the cursor form cannot evaluate: left to the expression wherever it is reached.</summary>
    private static readonly FhirPathCursorCondition CursorUndecided = (in FhirPathCursor _) => FhirPathTruth.Undecided;

    /// <summary>An integer the cursor form computes from the focus (never empty); -1 when only the full form can tell.</summary>
    private delegate int FhirPathCursorInteger(in FhirPathCursor focus);

    /// <summary>
    /// A non-negative integer literal, <c>count()</c> of what the cursor form counts (a member path, a <c>where()</c>
    /// over one), or a sum of those (org-1: <c>(identifier.count() + name.count()) > 0</c>); null for anything else.
    /// </summary>
    private static FhirPathCursorInteger? CompileCursorInteger(FhirPathSyntax syntax, FhirPathModel model)
    {
        switch (syntax)
        {
            case LiteralSyntax { Value: long value } when value is >= 0 and <= int.MaxValue:
            {
                var constant = (int)value;
                return (in FhirPathCursor _) => constant;
            }
            case FunctionSyntax { Name: "count", Arguments.Length: 0, Target: { } target }:
            {
                if (CompileCursorCounter(target, model, keepLast: false) is not { } count) return null;
                return (in FhirPathCursor c) => count(c, int.MaxValue, out _);
            }
            case BinarySyntax { Operator: "+" } sum:
            {
                if (CompileCursorInteger(sum.Left, model) is not { } left || CompileCursorInteger(sum.Right, model) is not { } right) return null;
                return (in FhirPathCursor c) =>
                {
                    var a = left(c);
                    if (a < 0) return -1;
                    var b = right(c);
                    // Counts of one resource's items: far from overflow, but an overflow is left to the expression.
                    return b < 0 || a > int.MaxValue - b ? -1 : a + b;
                };
            }
            default:
                return null;
        }
    }

    /// <summary>Two integers compared (both operands evaluated, left first, as the collection form does): never empty.</summary>
    private static FhirPathCursorCondition CursorCompare(string op, FhirPathCursorInteger left, FhirPathCursorInteger right) => (in FhirPathCursor c) =>
    {
        var a = left(c);
        if (a < 0) return FhirPathTruth.Undecided;
        var b = right(c);
        if (b < 0) return FhirPathTruth.Undecided;
        return Truth(op switch
        {
            "=" => a == b,
            "!=" => a != b,
            "<" => a < b,
            "<=" => a <= b,
            ">" => a > b,
            _ => a >= b,
        });
    };

    /// <summary>As <see cref="CompileLogic"/>: the same operands evaluated in the same order, so an undecided one is met exactly where the Boolean form would evaluate it.</summary>
    private static FhirPathCursorCondition CursorLogic(string op, FhirPathCursorCondition left, FhirPathCursorCondition right) => op switch
    {
        "and" => (in FhirPathCursor c) =>
        {
            var a = left(c);
            if (a is FhirPathTruth.False or FhirPathTruth.Undecided) return a;
            var b = right(c);
            if (b is FhirPathTruth.False or FhirPathTruth.Undecided) return b;
            return a == FhirPathTruth.True && b == FhirPathTruth.True ? FhirPathTruth.True : FhirPathTruth.Empty;
        },
        "or" => (in FhirPathCursor c) =>
        {
            var a = left(c);
            if (a is FhirPathTruth.True or FhirPathTruth.Undecided) return a;
            var b = right(c);
            if (b is FhirPathTruth.True or FhirPathTruth.Undecided) return b;
            return a == FhirPathTruth.False && b == FhirPathTruth.False ? FhirPathTruth.False : FhirPathTruth.Empty;
        },
        "xor" => (in FhirPathCursor c) =>
        {
            var a = left(c);
            if (a == FhirPathTruth.Undecided) return a;
            var b = right(c);
            if (b == FhirPathTruth.Undecided) return b;
            return a == FhirPathTruth.Empty || b == FhirPathTruth.Empty ? FhirPathTruth.Empty : Truth(a != b);
        },
        _ => (in FhirPathCursor c) =>
        {
            var a = left(c);
            if (a == FhirPathTruth.False) return FhirPathTruth.True;
            if (a == FhirPathTruth.Undecided) return a;
            var b = right(c);
            if (b is FhirPathTruth.True or FhirPathTruth.Undecided) return b;
            return a == FhirPathTruth.True && b == FhirPathTruth.False ? FhirPathTruth.False : FhirPathTruth.Empty;
        },
    };

    /// <summary>Counts up to a limit what a collection yields from the cursor; -1 when only the full form can tell.</summary>
    private delegate int FhirPathCursorCounter(in FhirPathCursor focus, int limit, out FhirPathCursor last);

    /// <param name="keepLast">Whether the caller reads the last item counted (<c>hasValue()</c>); else it is left default.</param>
    private static FhirPathCursorCounter? CompileCursorCounter(FhirPathSyntax target, FhirPathModel model, bool keepLast)
    {
        if (TryFocusPath(target, out var names)) return PathCounter(model, names, keepLast);
        // where(criterion) over a member path with a criterion of the cursor form (con-4/5, ait-1/2: a coding with a
        // given system and code): the criterion judged on each item as its focus ($this).
        if (!keepLast && target is FunctionSyntax { Name: "where", Arguments.Length: 1, Target: { } whereTarget } where
            && TryFocusPath(whereTarget, out var whereNames) && CompileCursorCondition(where.Arguments[0], model) is { } criterion)
        {
            var shadowNames = whereNames.Select(n => "_" + n).ToArray();
            var steps = FhirPathStepCache.ForPath(whereNames);
            return (in FhirPathCursor c, int _, out FhirPathCursor last) =>
            {
                last = default;
                return FhirPathNavigator.CountWhere(model, c, whereNames, shadowNames, 0, steps, criterion);
            };
        }
        // where(criterion) on the focus itself (org-2/3: where(use = 'home').empty() on an Address or ContactPoint).
        if (!keepLast && target is FunctionSyntax { Name: "where", Arguments.Length: 1, Target: null } onFocus && CompileCursorCondition(onFocus.Arguments[0], model) is { } focusCriterion)
        {
            return (in FhirPathCursor c, int _, out FhirPathCursor last) =>
            {
                last = default;
                return focusCriterion(c) switch
                {
                    FhirPathTruth.True => 1,
                    FhirPathTruth.Undecided => -1,
                    _ => 0,
                };
            };
        }
        // where/select/ofType/... over a member path: nothing in, nothing out (the argument is never evaluated).
        if (target is FunctionSyntax { Name: "where" or "select" or "ofType" or "first" or "last", Target: { } inner }
            && TryFocusPath(inner, out var innerNames))
        {
            var count = PathCounter(model, innerNames, keepLast: false);
            return (in FhirPathCursor c, int _, out FhirPathCursor last) =>
            {
                var n = count(c, 1, out last);
                last = default;
                return n == 0 ? 0 : -1;
            };
        }
        return null;
    }

    /// <summary>The count of a member path: the path's own method, no closure around it.</summary>
    private static FhirPathCursorCounter PathCounter(FhirPathModel model, string[] names, bool keepLast) => new FhirPathCursorPath(model, names, keepLast).Count;

    /// <summary>
    /// A member path from the focus: lower-case names (an upper-case first one may be the resource type) from the
    /// focus or <c>$this</c> (the focus outside any iteration, the only place the cursor form runs).
    /// </summary>
    private static bool TryFocusPath(FhirPathSyntax syntax, out string[] names) =>
        TryMemberPath(syntax, out var root, out names) && root is PathRoot.Focus or PathRoot.This;

    /// <summary>
    /// <c>path = 'a' or path = 'b' or …</c> (us-core-8/9: six statuses; us-core-21: five intents) with one member path:
    /// every operand counts the same items, so they all answer empty, all undecided, or true/false by comparing the one
    /// string — the chain's answer (true when one is true, false when all are) from one navigation instead of one per literal.
    /// </summary>
    private static (string[] Names, byte[][] Literals)? StringChoices(BinarySyntax choice)
    {
        var literals = new List<byte[]>();
        string[]? names = null;
        return Collect(choice) && literals.Count >= 2 ? (names!, literals.ToArray()) : null;

        bool Collect(FhirPathSyntax syntax)
        {
            switch (syntax)
            {
                case BinarySyntax { Operator: "or" } or:
                    return Collect(or.Left) && Collect(or.Right);
                case BinarySyntax { Operator: "=", Right: LiteralSyntax { Value: string literal } } equality when TryFocusPath(equality.Left, out var path):
                    if (names is not null && !names.AsSpan().SequenceEqual(path)) return false;
                    names = path;
                    literals.Add(Encoding.UTF8.GetBytes(literal));
                    return true;
                default:
                    return false;
            }
        }
    }

    private static FhirPathCursorCondition CursorStringIn(FhirPathModel model, string[] names, byte[][] literals)
    {
        var value = CursorStringValue(model, names);
        return (in FhirPathCursor c) =>
        {
            var truth = value(c, out var raw);
            if (truth != FhirPathTruth.True) return truth;
            foreach (var literal in literals)
            {
                if (raw.SequenceEqual(literal)) return FhirPathTruth.True;
            }
            return FhirPathTruth.False;
        };
    }

    /// <summary>
    /// <c>path = 'literal'</c> (and <c>!=</c>) on one plain JSON string that is not a date or time: its UTF-8 bytes
    /// against the literal's (FHIRPath string equality is ordinal). Empty when the path yields nothing; several items,
    /// other JSON types, escapes or temporal types are left to the full form.
    /// </summary>
    private static FhirPathCursorCondition CursorStringEquals(FhirPathModel model, string[] names, byte[] literal, bool negate)
    {
        var value = CursorStringValue(model, names);
        return (in FhirPathCursor c) =>
        {
            var truth = value(c, out var raw);
            return truth == FhirPathTruth.True ? Truth(raw.SequenceEqual(literal) != negate) : truth;
        };
    }

    /// <summary>The one plain string a member path yields, as UTF-8 (<see cref="FhirPathTruth.True"/>); empty; or undecided (see <see cref="CursorStringEquals"/>).</summary>
    private delegate FhirPathTruth FhirPathCursorString(in FhirPathCursor focus, out ReadOnlySpan<byte> raw);

    private static FhirPathCursorString CursorStringValue(FhirPathModel model, string[] names)
    {
        var count = PathCounter(model, names, keepLast: true);
        return (in FhirPathCursor c, out ReadOnlySpan<byte> raw) =>
        {
            raw = default;
            var n = count(c, 2, out var last);
            if (n == 0) return FhirPathTruth.Empty;
            if (n > 1 || last.Value.ValueKind != JsonValueKind.String || last.Type is "date" or "dateTime" or "instant" or "time") return FhirPathTruth.Undecided;
            raw = PrimitiveFormats.Unquote(last.Value.RawUtf8);
            return raw.IndexOf((byte)'\\') >= 0 ? FhirPathTruth.Undecided : FhirPathTruth.True;
        };
    }
}
