using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Reads a constraint's syntax tree for what it looks at outside its focus element: <c>%resource</c> and
/// <c>%rootResource</c> (only <c>.contained.id</c> of them is <see cref="SubtreeDependency.ContainedIds"/>),
/// <c>resolve()</c> (other resources, or parts of this one) and the clock (<c>now()</c>, <c>today()</c>,
/// <c>timeOfDay()</c>). <c>%context</c> is the focus itself; <c>%ucum</c>, <c>%sct</c>, value set and extension
/// variables are constants. A syntax node this does not know counts as <see cref="SubtreeDependency.Outside"/>.
/// </summary>
internal static class ExpressionDependency
{
    public static SubtreeDependency Of(string expression) => Of(FhirPathParser.Parse(expression));

    private static SubtreeDependency Of(FhirPathSyntax? syntax) => syntax switch
    {
        null or LiteralSyntax or IdentifierSyntax or SpecialSyntax => SubtreeDependency.None,
        MemberSyntax { Target: MemberSyntax { Target: VariableSyntax { Name: "resource" or "rootResource" }, Name: "contained" }, Name: "id" } => SubtreeDependency.ContainedIds,
        VariableSyntax { Name: "resource" or "rootResource" } => SubtreeDependency.Outside,
        VariableSyntax => SubtreeDependency.None,
        MemberSyntax member => Of(member.Target),
        FunctionSyntax { Name: "resolve" or "now" or "today" or "timeOfDay" } => SubtreeDependency.Outside,
        FunctionSyntax function => Max(Of(function.Target), function.Arguments),
        IndexerSyntax indexer => Max(Of(indexer.Target), Of(indexer.Index)),
        UnarySyntax unary => Of(unary.Operand),
        BinarySyntax binary => Max(Of(binary.Left), Of(binary.Right)),
        TypeOperatorSyntax typeOperator => Of(typeOperator.Operand),
        _ => SubtreeDependency.Outside,
    };

    private static SubtreeDependency Max(SubtreeDependency first, FhirPathSyntax[] more)
    {
        foreach (var syntax in more) first = Max(first, Of(syntax));
        return first;
    }

    private static SubtreeDependency Max(SubtreeDependency a, SubtreeDependency b) => a > b ? a : b;
}
