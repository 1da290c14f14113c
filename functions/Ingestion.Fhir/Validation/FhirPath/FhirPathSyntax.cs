namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>The parsed form of a FHIRPath expression; compiled once into delegates by <see cref="FhirPathCompiler"/>.</summary>
internal abstract record FhirPathSyntax;

/// <summary>A literal; <see cref="Value"/> null is the empty collection <c>{}</c>.</summary>
internal sealed record LiteralSyntax(object? Value) : FhirPathSyntax;

/// <summary>An identifier at the start of a term: a member of the focus, or the focus's resource type name.</summary>
internal sealed record IdentifierSyntax(string Name) : FhirPathSyntax;

internal sealed record MemberSyntax(FhirPathSyntax Target, string Name) : FhirPathSyntax;

/// <summary>A function call; <see cref="Target"/> null means invoked on the focus (<c>exists()</c> at the start of a term).</summary>
internal sealed record FunctionSyntax(FhirPathSyntax? Target, string Name, FhirPathSyntax[] Arguments) : FhirPathSyntax;

internal sealed record IndexerSyntax(FhirPathSyntax Target, FhirPathSyntax Index) : FhirPathSyntax;

internal sealed record SpecialSyntax(string Name) : FhirPathSyntax;

internal sealed record VariableSyntax(string Name) : FhirPathSyntax;

internal sealed record UnarySyntax(string Operator, FhirPathSyntax Operand) : FhirPathSyntax;

internal sealed record BinarySyntax(string Operator, FhirPathSyntax Left, FhirPathSyntax Right) : FhirPathSyntax;

/// <summary><c>is</c>/<c>as</c> with a (possibly qualified) type name.</summary>
internal sealed record TypeOperatorSyntax(string Operator, FhirPathSyntax Operand, FhirPathTypeName Type) : FhirPathSyntax;

/// <summary>A type specifier: <c>Patient</c>, <c>FHIR.string</c>, <c>System.Boolean</c>; namespace null when unqualified.</summary>
internal sealed record FhirPathTypeName(string? Namespace, string Name)
{
    public override string ToString() => Namespace is null ? Name : Namespace + "." + Name;
}
