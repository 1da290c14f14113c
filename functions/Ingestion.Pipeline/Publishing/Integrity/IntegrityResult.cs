using Ingestion.Omop;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// What the run's referential-integrity pass did (<see cref="ReferentialIntegrityPass"/>), staged for the publisher
/// (<see cref="Activities.RowKeyStaging.ResultPathOf"/>): the file parts it replaced by rewritten ones, the rows it
/// changed per (table, column, reason), the duplicate rows it dropped per table, and the foreign-key check over the
/// run's final rows. Counts and lake paths only.
/// </summary>
public sealed record IntegrityResult
{
    /// <summary>File parts whose rewritten version (or nothing, when no row remained) replaces them in the manifest.</summary>
    public IReadOnlyList<string> ReplacedParts { get; init; } = [];
    public IReadOnlyList<IntegrityCorrection> Corrections { get; init; } = [];
    /// <summary>Rows dropped because another row of the run has the same key and wins (newest lastUpdated, else later file/line).</summary>
    public IReadOnlyDictionary<string, long> DuplicateRowsByTable { get; init; } = new Dictionary<string, long>();
    public IReadOnlyList<ForeignKeyCheck> ForeignKeys { get; init; } = [];
}

/// <summary>Rows of <paramref name="Table"/> changed because of <paramref name="Column"/>: <c>duplicate</c> (row
/// dropped), <c>row-excluded</c> (a reduce output of a person the committed view lacks: dropped, rebuilt by a later
/// run), <c>deferred</c> (a required reference names no row yet: staged as pending, <see cref="PendingRows"/>),
/// <c>released</c> (a pending row of the previous run whose reference now exists: emitted by this run),
/// <c>pending-dropped</c> (pending rows of the previous run that a full run does not carry: it is a complete snapshot)
/// <c>nulled</c> (an optional reference names no row: set to null), <c>re-emitted</c> (an earlier run's visit whose
/// preceding visit this run changed, written again) or <c>preceding-stale</c> (such a visit whose part is unknown —
/// staged before part locations were — keeps its earlier value).</summary>
public sealed record IntegrityCorrection(string Table, string Column, string Reason, long Rows)
{
    public const string Duplicate = "duplicate";
    public const string RowExcluded = "row-excluded";
    public const string Deferred = "deferred";
    public const string Released = "released";
    public const string PendingDropped = "pending-dropped";
    public const string Nulled = "nulled";
    public const string Reemitted = "re-emitted";
    public const string PrecedingStale = "preceding-stale";
}

/// <summary>The report's <c>referentialIntegrity</c> section.</summary>
public sealed record IntegrityReport(IReadOnlyList<IntegrityCorrection> Corrections, IReadOnlyDictionary<string, long> DuplicateRowsByTable);
