using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// A FHIRPath expression compiled once (parse → syntax tree → delegates); evaluated any number of times, from any
/// thread, over the JSON of a resource without re-parsing.
/// </summary>
internal sealed class FhirPathExpression
{
    private readonly FhirPathEvaluator _evaluator;

    private FhirPathExpression(string text, FhirPathEvaluator evaluator)
    {
        Text = text;
        _evaluator = evaluator;
    }

    public string Text { get; }

    /// <summary>Parses and compiles; throws <see cref="FhirPathException"/> (syntax or unsupported construct).</summary>
    public static FhirPathExpression Compile(string text) => new(text, FhirPathCompiler.Compile(FhirPathParser.Parse(text)));

    /// <summary>Evaluates with <paramref name="focus"/> as the context (%context, $this); %resource is its resource.</summary>
    public IReadOnlyList<object> Evaluate(FhirPathModel model, FhirPathElement focus)
    {
        var scope = new FhirPathScope(model)
        {
            Context = [focus],
            Resource = focus.Resource,
            RootResource = focus.RootResource,
        };
        return _evaluator(scope, scope.Context);
    }

    /// <summary>Evaluates over a resource root (the suite's form: the resource is the context).</summary>
    public IReadOnlyList<object> Evaluate(FhirPathModel model, JsonElement resource) => Evaluate(model, model.Resource(resource, null, ""));

    /// <summary>Evaluates without any input (literal-only expressions).</summary>
    public IReadOnlyList<object> Evaluate(FhirPathModel model)
    {
        var scope = new FhirPathScope(model);
        return _evaluator(scope, FhirPathCompiler.Empty);
    }

    /// <summary>The invariant form: true when the result is true or empty... per FHIR, a constraint holds when the expression evaluates to true.</summary>
    public bool? EvaluateBoolean(FhirPathModel model, FhirPathElement focus) => FhirPathCompiler.AsBoolean(Evaluate(model, focus));
}
