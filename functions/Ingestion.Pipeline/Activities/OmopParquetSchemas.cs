using System.Collections.Concurrent;
using Ingestion.Omop;
using Ingestion.Parquet;

namespace Ingestion.Pipeline.Activities;

/// <summary>The Parquet schema of each OMOP table (BigInt→Int64, Integer→Int32, Float→Double, Varchar→String,
/// Date→Date, DateTime→Timestamp), built once per table. A table's own row key (<see cref="CdmForeignKeys.HasRowKey"/>)
/// is marked <see cref="ParquetColumn.DistinctValues"/>: its keys are distinct, so the writer skips the dictionary it
/// would try and drop for that column in every part.</summary>
public static class OmopParquetSchemas
{
    private static readonly ConcurrentDictionary<string, ParquetSchema> Schemas = new(StringComparer.Ordinal);

    public static ParquetSchema For(OmopTable table) => Schemas.GetOrAdd(table.Name, _ => new ParquetSchema(
        table.Columns.Select((c, i) => new ParquetColumn(c.Name, TypeOf(c.Type), c.Required)
        {
            DistinctValues = i == 0 && CdmForeignKeys.HasRowKey(table),
        }).ToList()));

    private static ParquetType TypeOf(OmopColumnType type) => type switch
    {
        OmopColumnType.BigInt => ParquetType.Int64,
        OmopColumnType.Integer => ParquetType.Int32,
        OmopColumnType.Float => ParquetType.Double,
        OmopColumnType.Varchar => ParquetType.String,
        OmopColumnType.Date => ParquetType.Date,
        OmopColumnType.DateTime => ParquetType.Timestamp,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown OMOP column type."),
    };
}
