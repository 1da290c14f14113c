namespace Ingestion.RunApi;

/// <summary>The dashboard's trends: the last N runs, newest first, each with its rows and concept-0 rows by OMOP table.</summary>
public sealed record RunTrendsPayload(IReadOnlyList<RunTrendPoint> Runs);

/// <summary>
/// One run of the trends: its summary (counters, times) and, per OMOP table, the rows written and the rows whose
/// concept is 0 — summed from its files' results, the numbers its run report carries.
/// </summary>
public sealed record RunTrendPoint(RunSummary Run, IReadOnlyDictionary<string, long> RowsByTable, IReadOnlyDictionary<string, long> ConceptZeroRowsByTable);
