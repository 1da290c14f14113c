namespace Ingestion.Parquet;

/// <summary>
/// Checks strings before anything of a batch is buffered, so a rejected batch leaves the writer untouched.
/// Errors name the column and row, never the value.
/// </summary>
internal static class StringValueValidator
{
    public static void ValidateString(ParquetColumn column, string text, long rowNumber)
    {
        if (!IsWellFormedUtf16(text))
            throw new ParquetSchemaViolationException(ParquetErrorCode.InvalidUtf8,
                $"Column '{column.Name}' got a string with an unpaired surrogate at row {rowNumber}: it has no UTF-8 form.", column.Name, rowNumber);
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
}
