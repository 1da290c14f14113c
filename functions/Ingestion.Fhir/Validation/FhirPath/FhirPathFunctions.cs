using Ingestion.Fhir.Json;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>The FHIRPath function library (normative N1 functions plus the FHIR additions used by invariants).</summary>
internal static partial class FhirPathCompiler
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    private static FhirPathEvaluator CompileFunction(FunctionSyntax f)
    {
        var target = f.Target is null ? static (_, focus) => focus : Compile(f.Target);
        var name = f.Name;
        var argc = f.Arguments.Length;

        // Functions with a type argument.
        if (name is "ofType" or "is" or "as")
        {
            Arity(f, 1, 1);
            var type = TypeNameOf(f.Arguments[0]);
            if (!FhirPathValues.IsKnownType(type)) throw new FhirPathException(FhirPathErrorKind.Semantic, $"Unknown type {type}.");
            return name switch
            {
                "ofType" => (scope, focus) => Filter(target(scope, focus), item => FhirPathValues.IsOfType(item, type, exact: true)),
                "is" => (scope, focus) =>
                {
                    var items = target(scope, focus);
                    return items.Count == 0 ? Empty : Bool(FhirPathValues.IsOfType(Single(items)!, type));
                },
                // as() over a collection filters it like ofType(): R4 invariants (dom-3) rely on it, as the reference engines do.
                _ => (scope, focus) => Filter(target(scope, focus), item => FhirPathValues.IsOfType(item, type, exact: true)),
            };
        }

        var args = f.Arguments.Select(Compile).ToArray();
        switch (name)
        {
            // Existence
            case "empty": Arity(f, 0, 0); return (s, c) => Bool(target(s, c).Count == 0);
            case "exists" when argc == 0: return (s, c) => Bool(target(s, c).Count > 0);
            case "exists": Arity(f, 1, 1); return (s, c) => Bool(Where(s, target(s, c), args[0]).Count > 0);
            case "all":
                Arity(f, 1, 1);
                return (s, c) =>
                {
                    var items = target(s, c);
                    for (var i = 0; i < items.Count; i++)
                    {
                        if (AsBoolean(EvalOn(args[0], s, items[i], i)) != true) return False;
                    }
                    return True;
                };
            case "allTrue": Arity(f, 0, 0); return (s, c) => Bool(Booleans(target(s, c)).All(b => b));
            case "anyTrue": Arity(f, 0, 0); return (s, c) => Bool(Booleans(target(s, c)).Any(b => b));
            case "allFalse": Arity(f, 0, 0); return (s, c) => Bool(Booleans(target(s, c)).All(b => !b));
            case "anyFalse": Arity(f, 0, 0); return (s, c) => Bool(Booleans(target(s, c)).Any(b => !b));
            case "subsetOf": Arity(f, 1, 1); return (s, c) => Bool(IsSubset(target(s, c), args[0](s, c)));
            case "supersetOf": Arity(f, 1, 1); return (s, c) => Bool(IsSubset(args[0](s, c), target(s, c)));
            case "count": Arity(f, 0, 0); return (s, c) => [(long)target(s, c).Count];
            case "distinct": Arity(f, 0, 0); return (s, c) => Distinct(target(s, c));
            case "isDistinct": Arity(f, 0, 0); return (s, c) => { var items = target(s, c); return Bool(Distinct(items).Count == items.Count); };

            // Filtering and projection
            case "where": Arity(f, 1, 1); return (s, c) => Where(s, target(s, c), args[0]);
            case "select":
                Arity(f, 1, 1);
                return (s, c) =>
                {
                    var items = target(s, c);
                    if (items.Count == 0) return Empty;
                    var output = new List<object>();
                    for (var i = 0; i < items.Count; i++) output.AddRange(EvalOn(args[0], s, items[i], i));
                    return output;
                };
            case "repeat":
                Arity(f, 1, 1);
                return (s, c) =>
                {
                    var output = new List<object>();
                    var queue = new Queue<object>(target(s, c));
                    while (queue.Count > 0)
                    {
                        var item = queue.Dequeue();
                        foreach (var next in EvalOn(args[0], s, item, 0))
                        {
                            if (output.Any(o => ReferenceEquals(o, next) || FhirPathValues.AreEqual(o, next) == true)) continue;
                            output.Add(next);
                            queue.Enqueue(next);
                        }
                    }
                    return output;
                };

            // Subsetting
            case "single": Arity(f, 0, 0); return (s, c) => { var items = target(s, c); return items.Count == 0 ? Empty : [Single(items)!]; };
            case "first": Arity(f, 0, 0); return (s, c) => { var items = target(s, c); return items.Count == 0 ? Empty : [items[0]]; };
            case "last": Arity(f, 0, 0); return (s, c) => { var items = target(s, c); return items.Count == 0 ? Empty : [items[^1]]; };
            case "tail": Arity(f, 0, 0); return (s, c) => target(s, c).Skip(1).ToList();
            case "skip": Arity(f, 1, 1); return (s, c) => { var n = AsInteger(args[0](s, c), name) ?? 0; return target(s, c).Skip((int)Math.Max(0, n)).ToList(); };
            case "take": Arity(f, 1, 1); return (s, c) => { var n = AsInteger(args[0](s, c), name) ?? 0; return target(s, c).Take((int)Math.Max(0, n)).ToList(); };
            case "intersect":
                Arity(f, 1, 1);
                return (s, c) =>
                {
                    var other = args[0](s, c);
                    var output = new List<object>();
                    AddDistinct(output, target(s, c).Where(i => other.Any(o => FhirPathValues.AreEqual(i, o) == true)).ToList());
                    return output;
                };
            case "exclude":
                Arity(f, 1, 1);
                return (s, c) => { var other = args[0](s, c); return target(s, c).Where(i => !other.Any(o => FhirPathValues.AreEqual(i, o) == true)).ToList(); };
            case "union": Arity(f, 1, 1); return (s, c) => Union(target(s, c), args[0](s, c));
            case "combine": Arity(f, 1, 1); return (s, c) => target(s, c).Concat(args[0](s, c)).ToList();

            // Logic and control
            case "not": Arity(f, 0, 0); return (s, c) => { var b = AsBoolean(target(s, c)); return b is null ? Empty : Bool(!b); };
            case "iif":
                Arity(f, 2, 3);
                return (s, c) =>
                {
                    var input = target(s, c);
                    if (input.Count > 1) throw new FhirPathException(FhirPathErrorKind.Execution, "iif needs a single item as its input.");
                    var focus = f.Target is null ? c : input;
                    var saved = s.This;
                    if (f.Target is not null && input.Count == 1) s.This = input[0];
                    try
                    {
                        var criterion = args[0](s, focus);
                        if (criterion.Count > 1 || (criterion.Count == 1 && FhirPathValues.ToSystem(criterion[0]) is not bool))
                            throw new FhirPathException(FhirPathErrorKind.Execution, "iif needs a Boolean criterion.");
                        return AsBoolean(criterion) == true ? args[1](s, focus) : argc == 3 ? args[2](s, focus) : Empty;
                    }
                    finally
                    {
                        s.This = saved;
                    }
                };
            case "trace": Arity(f, 1, 2); return target;
            case "aggregate":
                Arity(f, 1, 2);
                return (s, c) =>
                {
                    var items = target(s, c);
                    var total = argc == 2 ? args[1](s, c) : Empty;
                    var saved = s.Total;
                    try
                    {
                        for (var i = 0; i < items.Count; i++)
                        {
                            s.Total = total;
                            total = EvalOn(args[0], s, items[i], i);
                        }
                    }
                    finally
                    {
                        s.Total = saved;
                    }
                    return total;
                };

            // Conversions
            case "toBoolean": Arity(f, 0, 0); return (s, c) => Convert1(target(s, c), ToBooleanValue);
            case "convertsToBoolean": Arity(f, 0, 0); return (s, c) => Converts(target(s, c), ToBooleanValue);
            case "toInteger": Arity(f, 0, 0); return (s, c) => Convert1(target(s, c), ToIntegerValue);
            case "convertsToInteger": Arity(f, 0, 0); return (s, c) => Converts(target(s, c), ToIntegerValue);
            case "toDecimal": Arity(f, 0, 0); return (s, c) => Convert1(target(s, c), ToDecimalValue);
            case "convertsToDecimal": Arity(f, 0, 0); return (s, c) => Converts(target(s, c), ToDecimalValue);
            case "toString": Arity(f, 0, 0); return (s, c) => Convert1(target(s, c), FhirPathValues.ToText);
            case "convertsToString": Arity(f, 0, 0); return (s, c) => Converts(target(s, c), FhirPathValues.ToText);
            case "toDate": Arity(f, 0, 0); return (s, c) => Convert1(target(s, c), v => ToTemporal(v, FhirPathTemporalKind.Date));
            case "convertsToDate": Arity(f, 0, 0); return (s, c) => Converts(target(s, c), v => ToTemporal(v, FhirPathTemporalKind.Date));
            case "toDateTime": Arity(f, 0, 0); return (s, c) => Convert1(target(s, c), v => ToTemporal(v, FhirPathTemporalKind.DateTime));
            case "convertsToDateTime": Arity(f, 0, 0); return (s, c) => Converts(target(s, c), v => ToTemporal(v, FhirPathTemporalKind.DateTime));
            case "toTime": Arity(f, 0, 0); return (s, c) => Convert1(target(s, c), v => ToTemporal(v, FhirPathTemporalKind.Time));
            case "convertsToTime": Arity(f, 0, 0); return (s, c) => Converts(target(s, c), v => ToTemporal(v, FhirPathTemporalKind.Time));
            case "toQuantity": Arity(f, 0, 1); return (s, c) => Convert1(target(s, c), ToQuantityValue);
            case "convertsToQuantity": Arity(f, 0, 1); return (s, c) => Converts(target(s, c), ToQuantityValue);

            // Strings
            case "indexOf": Arity(f, 1, 1); return StringFunction(target, args, (v, a) => a[0] is { } x ? (long)v.IndexOf(x, StringComparison.Ordinal) : null);
            case "substring":
                Arity(f, 1, 2);
                return (s, c) =>
                {
                    var value = AsString(target(s, c), name);
                    var start = AsInteger(args[0](s, c), name);
                    if (value is null || start is null || start < 0 || start >= value.Length) return Empty;
                    long? length = argc == 2 ? AsInteger(args[1](s, c), name) : null;
                    if (argc == 2 && length is null) return [value[(int)start..]];
                    var end = length is null ? value.Length : (int)Math.Min(value.Length, start.Value + Math.Max(0, length.Value));
                    return [value[(int)start..end]];
                };
            case "startsWith": Arity(f, 1, 1); return StringFunction(target, args, (v, a) => a[0] is { } x ? v.StartsWith(x, StringComparison.Ordinal) : null);
            case "endsWith": Arity(f, 1, 1); return StringFunction(target, args, (v, a) => a[0] is { } x ? v.EndsWith(x, StringComparison.Ordinal) : null);
            case "contains": Arity(f, 1, 1); return StringFunction(target, args, (v, a) => a[0] is { } x ? v.Contains(x, StringComparison.Ordinal) : null);
            case "upper": Arity(f, 0, 0); return StringFunction(target, args, (v, _) => v.ToUpperInvariant());
            case "lower": Arity(f, 0, 0); return StringFunction(target, args, (v, _) => v.ToLowerInvariant());
            case "replace": Arity(f, 2, 2); return StringFunction(target, args, (v, a) => a[0] is { } p && a[1] is { } r ? (p.Length == 0 ? string.Join(r, v.Select(ch => ch.ToString())).Insert(0, r) + r : v.Replace(p, r, StringComparison.Ordinal)) : null);
            case "matches":
                Arity(f, 1, 1);
                return StringFunction(target, args, (v, a) => a[0] is { } p ? Regex.IsMatch(v, p, RegexOptions.Singleline | RegexOptions.CultureInvariant, RegexTimeout) : null);
            case "replaceMatches":
                Arity(f, 2, 2);
                return StringFunction(target, args, (v, a) => a[0] is { } p && a[1] is { } r ? (p.Length == 0 ? v : Regex.Replace(v, p, r, RegexOptions.CultureInvariant, RegexTimeout)) : null);
            case "length": Arity(f, 0, 0); return StringFunction(target, args, (v, _) => (long)v.Length);
            case "toChars": Arity(f, 0, 0); return (s, c) => AsString(target(s, c), name) is { } v ? v.Select(ch => (object)ch.ToString()).ToList() : Empty;

            // Math
            case "abs": Arity(f, 0, 0); return Numeric(target, l => Math.Abs(l), d => Math.Abs(d), q => q with { Value = Math.Abs(q.Value) });
            case "ceiling": Arity(f, 0, 0); return Numeric(target, l => l, d => (long)Math.Ceiling(d), null);
            case "floor": Arity(f, 0, 0); return Numeric(target, l => l, d => (long)Math.Floor(d), null);
            case "truncate": Arity(f, 0, 0); return Numeric(target, l => l, d => (long)Math.Truncate(d), null);
            case "exp": Arity(f, 0, 0); return Numeric(target, l => (decimal)Math.Exp(l), d => (decimal)Math.Exp((double)d), null);
            case "ln": Arity(f, 0, 0); return Numeric(target, l => (decimal)Math.Log(l), d => (decimal)Math.Log((double)d), null);
            case "sqrt": Arity(f, 0, 0); return Numeric(target, l => l < 0 ? null : (decimal)Math.Sqrt(l), d => d < 0 ? null : (decimal)Math.Sqrt((double)d), null);
            case "log":
                Arity(f, 1, 1);
                return (s, c) => Math2(target(s, c), args[0](s, c), (x, b) => (decimal)Math.Log((double)x, (double)b));
            case "power":
                Arity(f, 1, 1);
                return (s, c) =>
                {
                    var a = target(s, c);
                    var b = args[0](s, c);
                    if (a.Count == 0 || b.Count == 0) return Empty;
                    var x = FhirPathValues.ToSystem(Single(a)!);
                    var y = FhirPathValues.ToSystem(Single(b)!);
                    var result = Math.Pow(Convert.ToDouble(x, CultureInfo.InvariantCulture), Convert.ToDouble(y, CultureInfo.InvariantCulture));
                    if (double.IsNaN(result) || double.IsInfinity(result)) return Empty;
                    return x is long && y is long ? [(long)result] : [(decimal)result];
                };
            case "round":
                Arity(f, 0, 1);
                return (s, c) =>
                {
                    var a = target(s, c);
                    if (a.Count == 0) return Empty;
                    var digits = argc == 1 ? AsInteger(args[0](s, c), name) ?? 0 : 0;
                    return FhirPathValues.ToSystem(Single(a)!) switch
                    {
                        long l => [(decimal)l],
                        decimal d => [Math.Round(d, (int)digits, MidpointRounding.AwayFromZero)],
                        _ => throw new FhirPathException(FhirPathErrorKind.Execution, "round needs a number."),
                    };
                };

            // Tree navigation
            case "children": Arity(f, 0, 0); return (s, c) => ChildrenOf(s, target(s, c));
            case "descendants":
                Arity(f, 0, 0);
                return (s, c) =>
                {
                    var input = target(s, c);
                    // dom-3 asks for %resource.descendants() four times per contained resource: built once per run.
                    var single = input.Count == 1 ? input[0] as FhirPathElement : null;
                    if (single is not null && s.CachedDescendants(single) is { } cached) return cached;
                    var output = new List<object>();
                    var level = ChildrenOf(s, input);
                    while (level.Count > 0)
                    {
                        output.AddRange(level);
                        level = ChildrenOf(s, level);
                    }
                    if (single is not null) s.CacheDescendants(single, output);
                    return output;
                };

            // Dates
            case "now": Arity(f, 0, 0); return (_, _) => [Now(FhirPathTemporalKind.DateTime)];
            case "today": Arity(f, 0, 0); return (_, _) => [Now(FhirPathTemporalKind.Date)];
            case "timeOfDay": Arity(f, 0, 0); return (_, _) => [Now(FhirPathTemporalKind.Time)];

            // Types
            case "type": Arity(f, 0, 0); return (s, c) => target(s, c).Select(i => (object)FhirPathValues.TypeOf(i)).ToList();

            // FHIR additions
            case "extension":
                Arity(f, 1, 1);
                return (s, c) =>
                {
                    var url = AsString(args[0](s, c), name);
                    if (url is null) return Empty;
                    var extensions = Navigate(s, target(s, c), "extension", "_extension");
                    return Filter(extensions, e => e is FhirPathElement x && x.Value.ValueKind == JsonValueKind.Object
                        && x.Value.TryGetProperty("url"u8, out var u) && u.ValueKind == JsonValueKind.String && u.ValueEquals(url));
                };
            case "hasValue":
                Arity(f, 0, 0);
                return (s, c) => { var items = target(s, c); return Bool(items.Count == 1 && items[0] is FhirPathElement { HasPrimitiveValue: true }); };
            case "getValue":
                Arity(f, 0, 0);
                return (s, c) => { var items = target(s, c); return items.Count == 1 && items[0] is FhirPathElement { HasPrimitiveValue: true } e && FhirPathValues.ToSystem(e) is { } v ? [v] : Empty; };
            case "resolve": Arity(f, 0, 0); return (s, c) => FhirPathReferences.Resolve(s, target(s, c));
            case "memberOf": Arity(f, 1, 1); return (s, c) => MemberOf(s, target(s, c), AsString(args[0](s, c), name));
            case "htmlChecks": Arity(f, 0, 0); return (s, c) => { var items = target(s, c); return items.Count == 0 ? Empty : Bool(items.All(FhirPathHtml.IsSafe)); };
            case "conformsTo":
                Arity(f, 1, 1);
                return (s, c) =>
                {
                    var url = AsString(args[0](s, c), name);
                    var items = target(s, c);
                    if (url is null || items.Count == 0) return Empty;
                    const string Base = "http://hl7.org/fhir/StructureDefinition/";
                    if (!url.StartsWith(Base, StringComparison.Ordinal))
                        throw new FhirPathException(FhirPathErrorKind.Execution, "conformsTo supports base resource definitions only.");
                    return Bool(FhirPathValues.IsOfType(Single(items)!, new FhirPathTypeName("FHIR", url[Base.Length..])));
                };
            default:
                throw new FhirPathException(FhirPathErrorKind.Semantic, $"Unsupported function {name}().");
        }
    }

    private static void Arity(FunctionSyntax f, int min, int max)
    {
        if (f.Arguments.Length < min || f.Arguments.Length > max)
            throw new FhirPathException(FhirPathErrorKind.Semantic, $"Wrong number of arguments for {f.Name}().");
    }

    private static FhirPathTypeName TypeNameOf(FhirPathSyntax syntax) => syntax switch
    {
        IdentifierSyntax id => new FhirPathTypeName(null, id.Name),
        MemberSyntax { Target: IdentifierSyntax ns } m => new FhirPathTypeName(ns.Name, m.Name),
        _ => throw new FhirPathException(FhirPathErrorKind.Semantic, "A type name was expected."),
    };

    internal static IReadOnlyList<object> EvalOn(FhirPathEvaluator evaluator, FhirPathScope scope, object item, int index)
    {
        var (savedThis, savedIndex) = (scope.This, scope.Index);
        scope.This = item;
        scope.Index = index;
        try
        {
            return evaluator(scope, [item]);
        }
        finally
        {
            scope.This = savedThis;
            scope.Index = savedIndex;
        }
    }

    private static IReadOnlyList<object> Where(FhirPathScope scope, IReadOnlyList<object> items, FhirPathEvaluator criterion)
    {
        if (items.Count == 0) return Empty;
        List<object>? output = null;
        for (var i = 0; i < items.Count; i++)
        {
            if (AsBoolean(EvalOn(criterion, scope, items[i], i)) == true) (output ??= []).Add(items[i]);
        }
        return output ?? Empty;
    }

    private static IReadOnlyList<object> Filter(IReadOnlyList<object> items, Func<object, bool> predicate)
    {
        if (items.Count == 0) return Empty;
        List<object>? output = null;
        foreach (var item in items)
        {
            if (predicate(item)) (output ??= []).Add(item);
        }
        return output ?? Empty;
    }

    private static IEnumerable<bool> Booleans(IReadOnlyList<object> items) =>
        items.Select(i => FhirPathValues.ToBoolean(i) ?? throw new FhirPathException(FhirPathErrorKind.Execution, "A collection of Booleans was expected."));

    private static bool IsSubset(IReadOnlyList<object> subset, IReadOnlyList<object> superset) =>
        subset.All(i => superset.Any(o => FhirPathValues.AreEqual(i, o) == true));

    private static IReadOnlyList<object> Distinct(IReadOnlyList<object> items)
    {
        var output = new List<object>(items.Count);
        AddDistinct(output, items);
        return output;
    }

    private static IReadOnlyList<object> ChildrenOf(FhirPathScope scope, IReadOnlyList<object> items)
    {
        var output = new List<object>();
        foreach (var item in items)
        {
            if (item is FhirPathElement e) FhirPathNavigator.AllChildren(scope.Model, e, output);
        }
        return output;
    }

    private static IReadOnlyList<object> Convert1(IReadOnlyList<object> items, Func<object, object?> convert)
    {
        var item = Single(items);
        if (item is null) return Empty;
        return convert(FhirPathValues.ToSystem(item) ?? item) is { } v ? [v] : Empty;
    }

    private static IReadOnlyList<object> Converts(IReadOnlyList<object> items, Func<object, object?> convert)
    {
        var item = Single(items);
        if (item is null) return Empty;
        return Bool(convert(FhirPathValues.ToSystem(item) ?? item) is not null);
    }

    private static object? ToBooleanValue(object v) => v switch
    {
        bool b => b,
        long l => l switch { 1 => true, 0 => false, _ => null },
        decimal d => d == 1m ? true : d == 0m ? false : null,
        string s => s.ToLowerInvariant() switch
        {
            "true" or "t" or "yes" or "y" or "1" or "1.0" => true,
            "false" or "f" or "no" or "n" or "0" or "0.0" => false,
            _ => null,
        },
        _ => null,
    };

    private static object? ToIntegerValue(object v) => v switch
    {
        long l => l,
        bool b => b ? 1L : 0L,
        string s when Regex.IsMatch(s, "^[+-]?[0-9]+$", RegexOptions.None, RegexTimeout) && int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) => (long)i,
        _ => null,
    };

    private static object? ToDecimalValue(object v) => v switch
    {
        long l => (decimal)l,
        decimal d => d,
        bool b => b ? 1m : 0m,
        string s when Regex.IsMatch(s, @"^[+-]?[0-9]+(\.[0-9]+)?$", RegexOptions.None, RegexTimeout) => decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static object? ToTemporal(object v, FhirPathTemporalKind kind) => v switch
    {
        FhirPathDateTime d when d.Kind == kind => d,
        FhirPathDateTime { Kind: FhirPathTemporalKind.Date } d when kind == FhirPathTemporalKind.DateTime => d with { Kind = FhirPathTemporalKind.DateTime },
        FhirPathDateTime { Kind: FhirPathTemporalKind.DateTime } d when kind == FhirPathTemporalKind.Date =>
            d with { Kind = FhirPathTemporalKind.Date, Precision = d.Precision > FhirPathPrecision.Day ? FhirPathPrecision.Day : d.Precision, Hour = 0, Minute = 0, Second = 0, Millisecond = 0, OffsetMinutes = null },
        string s when kind == FhirPathTemporalKind.Time => FhirPathDateTime.TryParse("T" + s),
        string s => FhirPathDateTime.TryParse(s, kind) is { } d && (d.Kind == kind || kind == FhirPathTemporalKind.DateTime) ? d : null,
        _ => null,
    };

    private static object? ToQuantityValue(object v) => v switch
    {
        FhirPathQuantity q => q,
        long l => new FhirPathQuantity(l, "1"),
        decimal d => new FhirPathQuantity(d, "1"),
        bool b => new FhirPathQuantity(b ? 1m : 0m, "1"),
        string s => ParseQuantity(s),
        _ => null,
    };

    private static FhirPathQuantity? ParseQuantity(string s)
    {
        var m = Regex.Match(s, @"^([+-]?[0-9]+(?:\.[0-9]+)?)\s*(?:'([^']+)'|([a-z]+))?$", RegexOptions.None, RegexTimeout);
        if (!m.Success) return null;
        var value = decimal.Parse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        var unit = m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Success ? m.Groups[3].Value : "1";
        if (m.Groups[3].Success && !FhirPathQuantity.IsCalendarKeyword(unit)) return null;
        return new FhirPathQuantity(value, unit);
    }

    private static FhirPathEvaluator StringFunction(FhirPathEvaluator target, FhirPathEvaluator[] args, Func<string, string?[], object?> body) => (s, c) =>
    {
        var items = target(s, c);
        if (items.Count == 0) return Empty;
        var value = AsString(items, "string function");
        var values = new string?[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i](s, c);
            if (a.Count == 0) return Empty;
            values[i] = AsString(a, "string function");
        }
        return body(value!, values) switch
        {
            null => Empty,
            bool b => Bool(b),
            var r => [r],
        };
    };

    private static FhirPathEvaluator Numeric(FhirPathEvaluator target, Func<long, object?> onInteger, Func<decimal, object?> onDecimal, Func<FhirPathQuantity, object?>? onQuantity) => (s, c) =>
    {
        var items = target(s, c);
        if (items.Count == 0) return Empty;
        var result = FhirPathValues.ToSystem(Single(items)!) switch
        {
            long l => onInteger(l),
            decimal d => onDecimal(d),
            FhirPathQuantity q when onQuantity is not null => onQuantity(q),
            _ => throw new FhirPathException(FhirPathErrorKind.Execution, "A number was expected."),
        };
        return result is null ? Empty : [result];
    };

    private static IReadOnlyList<object> Math2(IReadOnlyList<object> a, IReadOnlyList<object> b, Func<decimal, decimal, decimal> body)
    {
        if (a.Count == 0 || b.Count == 0) return Empty;
        var x = Convert.ToDecimal(FhirPathValues.ToSystem(Single(a)!), CultureInfo.InvariantCulture);
        var y = Convert.ToDecimal(FhirPathValues.ToSystem(Single(b)!), CultureInfo.InvariantCulture);
        return [body(x, y)];
    }

    private static FhirPathDateTime Now(FhirPathTemporalKind kind)
    {
        var now = DateTimeOffset.Now;
        var offset = (int)now.Offset.TotalMinutes;
        return kind switch
        {
            FhirPathTemporalKind.Date => new(kind, FhirPathPrecision.Day, now.Year, now.Month, now.Day, 0, 0, 0, 0, null),
            FhirPathTemporalKind.Time => new(kind, FhirPathPrecision.Millisecond, 0, 1, 1, now.Hour, now.Minute, now.Second, now.Millisecond, null),
            _ => new(kind, FhirPathPrecision.Millisecond, now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, now.Millisecond, offset),
        };
    }

    /// <summary>memberOf over an enumerable value set; empty (unknown) when the value set is not enumerable here.</summary>
    private static IReadOnlyList<object> MemberOf(FhirPathScope scope, IReadOnlyList<object> items, string? url)
    {
        if (url is null || items.Count == 0) return Empty;
        if (scope.Model.ValueSet(DefinitionSet.StripVersion(url)) is not { } codes) return Empty;
        var item = Single(items)!;
        if (item is string text)
        {
            using var doc = ResourceDocument.Parse(JsonSerializer.Serialize(text));
            return Bool(codes.ContainsCode(doc.RootElement));
        }
        return Bool(item is FhirPathElement e && ResourceWalker.InValueSet(codes, e.Value));
    }
}
