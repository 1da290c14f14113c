using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// A FHIRPath expression compiled once (parse → syntax tree → delegates); evaluated any number of times, from any
/// thread, over the JSON of a resource without re-parsing. Compiled twice from the same tree: as a collection
/// (<see cref="Evaluate(FhirPathModel, FhirPathElement)"/>) and as a condition (<see cref="EvaluateBoolean(FhirPathScope, FhirPathElement)"/>,
/// the invariant form), where existence tests and logic run without building collections.
/// </summary>
internal sealed class FhirPathExpression
{
    private readonly FhirPathEvaluator _evaluator;
    private readonly FhirPathCondition _condition;

    private FhirPathExpression(string text, FhirPathEvaluator evaluator, FhirPathCondition condition)
    {
        Text = text;
        _evaluator = evaluator;
        _condition = condition;
    }

    public string Text { get; }

    /// <summary>Parses and compiles; throws <see cref="FhirPathException"/> (syntax or unsupported construct).</summary>
    public static FhirPathExpression Compile(string text)
    {
        var syntax = FhirPathParser.Parse(text);
        return new(text, FhirPathCompiler.Compile(syntax), FhirPathCompiler.CompileCondition(syntax, logicalOperand: false));
    }

    /// <summary>Evaluates with <paramref name="focus"/> as the context (%context, $this); %resource is its resource.</summary>
    public IReadOnlyList<object> Evaluate(FhirPathModel model, FhirPathElement focus)
    {
        var scope = new FhirPathScope(model);
        scope.Reset(focus);
        return _evaluator(scope, [focus]);
    }

    /// <summary>Evaluates over a resource root (the suite's form: the resource is the context).</summary>
    public IReadOnlyList<object> Evaluate(FhirPathModel model, ResourceElement resource) => Evaluate(model, model.Resource(resource, null, ""));

    /// <summary>Evaluates without any input (literal-only expressions).</summary>
    public IReadOnlyList<object> Evaluate(FhirPathModel model)
    {
        var scope = new FhirPathScope(model);
        scope.Reset(null);
        return _evaluator(scope, FhirPathCompiler.Empty);
    }

    /// <summary>The invariant form: the result as a single Boolean, null when empty (a constraint fails only on false).</summary>
    public bool? EvaluateBoolean(FhirPathModel model, FhirPathElement focus) => EvaluateBoolean(new FhirPathScope(model), focus);

    /// <summary>As <see cref="EvaluateBoolean(FhirPathModel, FhirPathElement)"/> with a scope the caller reuses (one per walk, one thread).</summary>
    public bool? EvaluateBoolean(FhirPathScope scope, FhirPathElement focus)
    {
        scope.Reset(focus);
        return _condition(scope, scope.Context);
    }
}
