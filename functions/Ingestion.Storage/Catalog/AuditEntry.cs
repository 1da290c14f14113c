namespace Ingestion.Storage.Catalog;

/// <summary>
/// One audit record: who or what started, canceled, terminated, purged or skipped a run, and when.
/// <see cref="Scope"/> is the run id, or <c>source:&lt;id&gt;</c> for entries about a source (a skipped tick).
/// <see cref="EntryId"/> is deterministic so a repeated write is stored once.
/// </summary>
public sealed record AuditEntry(string Scope, string EntryId, string Action, DateTimeOffset At)
{
    public string? Actor { get; init; }
    public string? Detail { get; init; }
}
