using System.Globalization;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// Turns a parsed expression into a tree of delegates, once: names, operators and functions are resolved at compile
/// time (an unknown function or variable is a <see cref="FhirPathErrorKind.Semantic"/> error then, never at run time).
/// </summary>
internal static partial class FhirPathCompiler
{
    public static readonly IReadOnlyList<object> Empty = [];

    public static FhirPathEvaluator Compile(FhirPathSyntax syntax) => syntax switch
    {
        LiteralSyntax { Value: null } => static (_, _) => Empty,
        LiteralSyntax literal => Constant(literal.Value),
        IdentifierSyntax identifier => CompileIdentifier(identifier.Name),
        MemberSyntax member => CompileMember(Compile(member.Target), member.Name),
        FunctionSyntax function => CompileFunction(function),
        IndexerSyntax indexer => CompileIndexer(Compile(indexer.Target), Compile(indexer.Index)),
        SpecialSyntax special => CompileSpecial(special.Name),
        VariableSyntax variable => CompileVariable(variable.Name),
        UnarySyntax unary => CompileNegate(Compile(unary.Operand)),
        BinarySyntax binary => CompileBinary(binary.Operator, Compile(binary.Left), Compile(binary.Right)),
        TypeOperatorSyntax typeOperator => CompileTypeOperator(typeOperator.Operator, Compile(typeOperator.Operand), typeOperator.Type),
        _ => throw new FhirPathException(FhirPathErrorKind.Semantic, "Unsupported syntax."),
    };

    private static FhirPathEvaluator Constant(object value)
    {
        IReadOnlyList<object> result = [value];
        return (_, _) => result;
    }

    private static FhirPathEvaluator CompileIdentifier(string name)
    {
        // "Patient" at the start of a path is the focus itself when it is a Patient (or a type it derives from).
        var maybeType = char.IsAsciiLetterUpper(name[0]);
        var typeName = new FhirPathTypeName(null, name);
        var shadowName = "_" + name;
        var step = new FhirPathStepCache(name);
        return (scope, focus) =>
        {
            if (maybeType && focus.Count == 1 && focus[0] is FhirPathElement { IsResource: true } resource)
            {
                if (FhirPathValues.IsOfType(resource, typeName)) return focus;
                if (FhirResourceTypes.IsKnown(name)) return Empty; // another resource type: nothing (strict mode would reject it)
            }
            return Navigate(scope, focus, name, shadowName, step);
        };
    }

    private static FhirPathEvaluator CompileMember(FhirPathEvaluator target, string name)
    {
        var shadowName = "_" + name;
        var step = new FhirPathStepCache(name);
        return (scope, focus) => Navigate(scope, target(scope, focus), name, shadowName, step);
    }

    internal static IReadOnlyList<object> Navigate(FhirPathScope scope, IReadOnlyList<object> input, string name, string shadowName, FhirPathStepCache? step = null)
    {
        if (input.Count == 0) return Empty;
        List<object>? output = null;
        foreach (var item in input)
        {
            switch (item)
            {
                case FhirPathElement element:
                    FhirPathNavigator.Children(scope.Model, element, name, shadowName, ref output, step);
                    break;
                case FhirPathTypeInfo info when name is "namespace" or "name":
                    output ??= [];
                    output.Add(name == "name" ? info.Name : info.Namespace);
                    break;
            }
        }
        // An element the type does not have (name.given1) gives empty, as in non-strict engines (strict mode rejects it statically).
        return output is null || output.Count == 0 ? Empty : output;
    }

    private static FhirPathEvaluator CompileIndexer(FhirPathEvaluator target, FhirPathEvaluator index) => (scope, focus) =>
    {
        var items = target(scope, focus);
        var i = index(scope, focus);
        if (i.Count == 0) return Empty;
        if (Single(i) is not long n) throw new FhirPathException(FhirPathErrorKind.Execution, "An index must be an integer.");
        return n >= 0 && n < items.Count ? [items[(int)n]] : Empty;
    };

    private static FhirPathEvaluator CompileSpecial(string name) => name switch
    {
        "$this" => static (scope, focus) => scope.This is { } t ? [t] : focus,
        "$index" => static (scope, _) => [(long)scope.Index],
        _ => static (scope, _) => scope.Total ?? Empty,
    };

    private static FhirPathEvaluator CompileVariable(string name)
    {
        string? constant = name switch
        {
            "ucum" => "http://unitsofmeasure.org",
            "sct" => "http://snomed.info/sct",
            "loinc" => "http://loinc.org",
            _ when name.StartsWith("vs-", StringComparison.Ordinal) => "http://hl7.org/fhir/ValueSet/" + name[3..],
            _ when name.StartsWith("ext-", StringComparison.Ordinal) => "http://hl7.org/fhir/StructureDefinition/" + name[4..],
            _ => null,
        };
        if (constant is not null) return Constant(constant);
        return name switch
        {
            "resource" => static (scope, _) => scope.Resource is { } r ? [r] : Empty,
            "rootResource" => static (scope, _) => scope.RootResource is { } r ? [r] : Empty,
            "context" => static (scope, _) => scope.Context,
            _ => throw new FhirPathException(FhirPathErrorKind.Semantic, $"Unknown environment variable %{name}."),
        };
    }

    private static FhirPathEvaluator CompileNegate(FhirPathEvaluator operand) => (scope, focus) =>
    {
        var value = operand(scope, focus);
        if (value.Count == 0) return Empty;
        return FhirPathValues.ToSystem(Single(value)!) switch
        {
            long l => [-l],
            decimal d => [-d],
            FhirPathQuantity q => [q with { Value = -q.Value }],
            _ => throw new FhirPathException(FhirPathErrorKind.Execution, "Unary minus needs a number or a quantity."),
        };
    };

    private static FhirPathEvaluator CompileTypeOperator(string op, FhirPathEvaluator operand, FhirPathTypeName type)
    {
        if (!FhirPathValues.IsKnownType(type)) throw new FhirPathException(FhirPathErrorKind.Semantic, $"Unknown type {type}.");
        return TypeOperator(op, operand, type);
    }

    private static FhirPathEvaluator TypeOperator(string op, FhirPathEvaluator operand, FhirPathTypeName type) => (scope, focus) =>
    {
        var value = operand(scope, focus);
        if (value.Count == 0) return Empty;
        if (value.Count > 1) throw new FhirPathException(FhirPathErrorKind.Execution, $"'{op}' needs a single item.");
        var matches = FhirPathValues.IsOfType(value[0], type, exact: op == "as") || (op == "is" && IsSystemPrimitive(value[0], type));
        if (op == "is") return matches ? True : False;
        return matches ? value : Empty;
    };

    /// <summary>
    /// The operator form <c>x is Boolean</c> also holds for a FHIR boolean: R4 invariants are written that way (que-7:
    /// <c>answer is Boolean</c>). The function form <c>is(Boolean)</c> keeps the strict meaning the suite tests.
    /// </summary>
    private static bool IsSystemPrimitive(object item, FhirPathTypeName type) =>
        type.Namespace is null && item is FhirPathElement { HasPrimitiveValue: true } && FhirPathValues.ToSystem(item) is { } value
        && FhirPathValues.TypeNameOf(value).Name == type.Name;

    internal static readonly IReadOnlyList<object> True = [true];
    internal static readonly IReadOnlyList<object> False = [false];

    internal static IReadOnlyList<object> Bool(bool? value) => value switch
    {
        true => True,
        false => False,
        null => Empty,
    };

    /// <summary>The single item of a collection, null when empty; more than one is an execution error.</summary>
    internal static object? Single(IReadOnlyList<object> items) => items.Count switch
    {
        0 => null,
        1 => items[0],
        _ => throw new FhirPathException(FhirPathErrorKind.Execution, "A single item was expected, the collection has several."),
    };

    /// <summary>Singleton evaluation of a collection as a Boolean: empty → null, a lone non-Boolean item → true.</summary>
    internal static bool? AsBoolean(IReadOnlyList<object> items)
    {
        var item = Single(items);
        if (item is null) return null;
        return FhirPathValues.ToSystem(item) is bool b ? b : true;
    }

    /// <summary>
    /// An operand of and/or/xor/implies: as <see cref="AsBoolean"/>, except that several items count as true (as
    /// the Java reference engine does): published invariants such as US Core 6.1.0 pd-1 (<c>telecom or endpoint</c>) rely on it.
    /// </summary>
    internal static bool? Logical(IReadOnlyList<object> items) => items.Count > 1 ? true : AsBoolean(items);

    internal static string? AsString(IReadOnlyList<object> items, string function)
    {
        var item = Single(items);
        if (item is null) return null;
        return FhirPathValues.ToSystem(item) as string ?? throw new FhirPathException(FhirPathErrorKind.Execution, $"{function} needs a string.");
    }

    internal static long? AsInteger(IReadOnlyList<object> items, string function)
    {
        var item = Single(items);
        if (item is null) return null;
        return FhirPathValues.ToSystem(item) as long? ?? throw new FhirPathException(FhirPathErrorKind.Execution, $"{function} needs an integer.");
    }

    private static FhirPathEvaluator CompileBinary(string op, FhirPathEvaluator left, FhirPathEvaluator right)
    {
        switch (op)
        {
            case "and" or "or" or "xor" or "implies":
            {
                // Three-valued logic over the operands' Boolean readings, shared with the Boolean form.
                var logic = CompileLogic(op, (scope, focus) => Logical(left(scope, focus)), (scope, focus) => Logical(right(scope, focus)));
                return (scope, focus) => Bool(logic(scope, focus));
            }
            case "|":
                return (scope, focus) => Union(left(scope, focus), right(scope, focus));
            case "=" or "!=":
            {
                var negate = op == "!=";
                return (scope, focus) =>
                {
                    var r = Equal(left(scope, focus), right(scope, focus));
                    return Bool(negate && r.HasValue ? !r : r);
                };
            }
            case "~" or "!~":
            {
                var negate = op == "!~";
                return (scope, focus) => Bool(Equivalent(left(scope, focus), right(scope, focus)) != negate);
            }
            case "<" or ">" or "<=" or ">=":
                return (scope, focus) =>
                {
                    var a = left(scope, focus);
                    var b = right(scope, focus);
                    if (a.Count == 0 || b.Count == 0) return Empty;
                    var c = FhirPathValues.Compare(Single(a)!, Single(b)!);
                    if (c is not { } cmp) return Empty;
                    return Bool(op switch { "<" => cmp < 0, ">" => cmp > 0, "<=" => cmp <= 0, _ => cmp >= 0 });
                };
            case "in":
                return (scope, focus) => Membership(left(scope, focus), right(scope, focus));
            case "contains":
                return (scope, focus) => Membership(right(scope, focus), left(scope, focus));
            case "&":
                return (scope, focus) =>
                {
                    var a = AsString(left(scope, focus), "&") ?? "";
                    var b = AsString(right(scope, focus), "&") ?? "";
                    return [a + b];
                };
            default:
                return (scope, focus) =>
                {
                    var a = left(scope, focus);
                    var b = right(scope, focus);
                    if (a.Count == 0 || b.Count == 0) return Empty;
                    var result = FhirPathArithmetic.Apply(op, FhirPathValues.ToSystem(Single(a)!), FhirPathValues.ToSystem(Single(b)!));
                    return result is null ? Empty : [result];
                };
        }
    }

    private static IReadOnlyList<object> Membership(IReadOnlyList<object> item, IReadOnlyList<object> collection)
    {
        if (item.Count == 0) return Empty;
        var single = Single(item)!;
        foreach (var candidate in collection)
        {
            if (FhirPathValues.AreEqual(single, candidate) == true) return True;
        }
        return False;
    }

    internal static bool? Equal(IReadOnlyList<object> a, IReadOnlyList<object> b)
    {
        if (a.Count == 0 || b.Count == 0) return null;
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            var r = FhirPathValues.AreEqual(a[i], b[i]);
            if (r != true) return r;
        }
        return true;
    }

    internal static bool Equivalent(IReadOnlyList<object> a, IReadOnlyList<object> b)
    {
        if (a.Count != b.Count) return false;
        var used = new bool[b.Count];
        foreach (var x in a)
        {
            var found = false;
            for (var j = 0; j < b.Count && !found; j++)
            {
                if (!used[j] && FhirPathValues.AreEquivalent(x, b[j])) used[j] = found = true;
            }
            if (!found) return false;
        }
        return true;
    }

    internal static IReadOnlyList<object> Union(IReadOnlyList<object> a, IReadOnlyList<object> b)
    {
        var output = new List<object>(a.Count + b.Count);
        AddDistinct(output, a);
        AddDistinct(output, b);
        return output;
    }

    internal static void AddDistinct(List<object> output, IReadOnlyList<object> items)
    {
        foreach (var item in items)
        {
            var seen = false;
            foreach (var existing in output)
            {
                if (FhirPathValues.AreEqual(existing, item) == true)
                {
                    seen = true;
                    break;
                }
            }
            if (!seen) output.Add(item);
        }
    }

    internal static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
