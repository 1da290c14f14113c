namespace Ingestion.Fhir.Validation;

/// <summary>The FHIR R4 primitive types; <see cref="None"/> marks a complex type.</summary>
public enum PrimitiveKind
{
    None,
    Boolean, Integer, Decimal, PositiveInt, UnsignedInt,
    String, Markdown, Xhtml, Id, Code, Uri, Url, Canonical, Oid, Uuid, Base64Binary,
    Date, DateTime, Instant, Time,
}

public static class PrimitiveKinds
{
    public static PrimitiveKind FromTypeCode(string code) => code switch
    {
        "boolean" => PrimitiveKind.Boolean,
        "integer" => PrimitiveKind.Integer,
        "decimal" => PrimitiveKind.Decimal,
        "positiveInt" => PrimitiveKind.PositiveInt,
        "unsignedInt" => PrimitiveKind.UnsignedInt,
        "string" => PrimitiveKind.String,
        "markdown" => PrimitiveKind.Markdown,
        "xhtml" => PrimitiveKind.Xhtml,
        "id" => PrimitiveKind.Id,
        "code" => PrimitiveKind.Code,
        "uri" => PrimitiveKind.Uri,
        "url" => PrimitiveKind.Url,
        "canonical" => PrimitiveKind.Canonical,
        "oid" => PrimitiveKind.Oid,
        "uuid" => PrimitiveKind.Uuid,
        "base64Binary" => PrimitiveKind.Base64Binary,
        "date" => PrimitiveKind.Date,
        "dateTime" => PrimitiveKind.DateTime,
        "instant" => PrimitiveKind.Instant,
        "time" => PrimitiveKind.Time,
        // FHIRPath system types appear on Element.id, Extension.url and Resource.id in the R4 snapshots.
        "http://hl7.org/fhirpath/System.String" => PrimitiveKind.String,
        "http://hl7.org/fhirpath/System.Boolean" => PrimitiveKind.Boolean,
        "http://hl7.org/fhirpath/System.Integer" => PrimitiveKind.Integer,
        "http://hl7.org/fhirpath/System.Decimal" => PrimitiveKind.Decimal,
        "http://hl7.org/fhirpath/System.Date" => PrimitiveKind.Date,
        "http://hl7.org/fhirpath/System.DateTime" => PrimitiveKind.DateTime,
        "http://hl7.org/fhirpath/System.Time" => PrimitiveKind.Time,
        _ => PrimitiveKind.None,
    };

    public static string TypeCode(PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.PositiveInt => "positiveInt",
        PrimitiveKind.UnsignedInt => "unsignedInt",
        PrimitiveKind.Base64Binary => "base64Binary",
        PrimitiveKind.DateTime => "dateTime",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
