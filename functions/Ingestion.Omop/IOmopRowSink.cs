namespace Ingestion.Omop;

/// <summary>
/// Receives mapped rows. A row is an array in the table's column order (see <see cref="OmopTable.Columns"/>)
/// holding long, int, double, string, DateOnly, DateTime (UTC) or null, exactly as the column type says.
/// The array is owned by the sink after the call.
/// </summary>
public interface IOmopRowSink
{
    void Add(OmopTable table, object?[] row);

    /// <summary>One dated event of a person, for observation_period: the file keeps per-person min/max and the
    /// run's reduce step merges them.</summary>
    void ObservePersonDate(long personId, DateOnly date);

    /// <summary>The UTC date of the export's transactionTime, when known: a date the mapping infers rather than reads
    /// (a prescription's end from its days supply) is capped there, so no date lies after the export (DQD's
    /// plausibleValueHigh; the CDM does the same for visits still ongoing). Dates read from the data are shifted back
    /// by the de-identifier and need no cap.</summary>
    DateOnly? LatestDate => null;
}
