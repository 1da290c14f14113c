namespace Ingestion.Omop.Tests;

/// <summary>A row written in tests as boxed values, typed into a one-row buffer of its table.</summary>
internal static class TypedRow
{
    public static OmopRowBuffer Of(OmopTable table, object?[] values)
    {
        var rows = new OmopRowBuffer(table, 1);
        rows.AddBoxed(values);
        return rows;
    }
}
