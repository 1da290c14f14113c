namespace Ingestion.Parquet;

/// <summary>
/// Checks one value against its column before anything of the row is buffered, so a rejected row leaves the writer
/// untouched. Errors name the column and row, never the value.
/// </summary>
internal static class RowValueValidator
{
    public static void Validate(ParquetColumn column, object? value, long rowNumber)
    {
        if (value is null)
        {
            if (column.Required)
                throw Violation(ParquetErrorCode.NullInRequiredColumn, $"Null in REQUIRED column '{column.Name}' at row {rowNumber}.", column, rowNumber);
            return;
        }
        var ok = column.Type switch
        {
            ParquetType.Boolean => value is bool,
            ParquetType.Int32 => value is int,
            ParquetType.Int64 => value is long,
            ParquetType.Double => value is double,
            ParquetType.String => value is string,
            ParquetType.Date => value is DateOnly,
            ParquetType.Timestamp => value is DateTime or DateTimeOffset,
            _ => false,
        };
        if (!ok)
            throw Violation(ParquetErrorCode.WrongValueType,
                $"Column '{column.Name}' ({column.Type}) got a value of type {value.GetType().Name} at row {rowNumber}; expected {ExpectedClrType(column.Type)}.",
                column, rowNumber);
        if (value is DateTime { Kind: DateTimeKind.Local })
            throw Violation(ParquetErrorCode.LocalTimestamp,
                $"Column '{column.Name}' got a DateTime of Kind Local at row {rowNumber}; pass UTC (Kind Utc or Unspecified) or a DateTimeOffset.",
                column, rowNumber);
        if (value is string text) ValidateString(column, text, rowNumber);
    }

    public static void ValidateString(ParquetColumn column, string text, long rowNumber)
    {
        if (!IsWellFormedUtf16(text))
            throw Violation(ParquetErrorCode.InvalidUtf8,
                $"Column '{column.Name}' got a string with an unpaired surrogate at row {rowNumber}: it has no UTF-8 form.", column, rowNumber);
    }

    /// <summary>True when the text has a UTF-8 form: no unpaired surrogate (the common case is checked vectorized).</summary>
    public static bool IsWellFormedUtf16(ReadOnlySpan<char> text)
    {
        var i = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0) return true;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    private static string ExpectedClrType(ParquetType type) => type switch
    {
        ParquetType.Boolean => "bool",
        ParquetType.Int32 => "int",
        ParquetType.Int64 => "long",
        ParquetType.Double => "double",
        ParquetType.String => "string",
        ParquetType.Date => "DateOnly",
        ParquetType.Timestamp => "DateTime (UTC) or DateTimeOffset",
        _ => type.ToString(),
    };

    private static ParquetSchemaViolationException Violation(string code, string message, ParquetColumn column, long rowNumber) =>
        new(code, message, column.Name, rowNumber);
}
