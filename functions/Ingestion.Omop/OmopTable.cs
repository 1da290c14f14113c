namespace Ingestion.Omop;

/// <summary>Column types of the OMOP CDM 5.4 DDL, as stored in Parquet.</summary>
public enum OmopColumnType
{
    /// <summary>integer (32-bit).</summary>
    Integer,
    /// <summary>bigint (64-bit), used for every *_id key and concept ids stored as integer in the DDL widened where documented.</summary>
    BigInt,
    /// <summary>float / numeric.</summary>
    Float,
    /// <summary>varchar(n).</summary>
    Varchar,
    /// <summary>date.</summary>
    Date,
    /// <summary>datetime (UTC).</summary>
    DateTime,
}

/// <summary>One column of an OMOP table: name, type and whether the CDM requires it.</summary>
public sealed record OmopColumn(string Name, OmopColumnType Type, bool Required, int? MaxLength = null);

/// <summary>An OMOP CDM 5.4 table (or a documented non-CDM output such as deletions).</summary>
public sealed record OmopTable(string Name, IReadOnlyList<OmopColumn> Columns, bool IsCdm = true)
{
    public int IndexOf(string columnName)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, columnName, StringComparison.Ordinal)) return i;
        }
        throw new ArgumentException($"Table '{Name}' has no column '{columnName}'.", nameof(columnName));
    }
}
