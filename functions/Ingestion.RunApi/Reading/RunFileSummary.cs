using Ingestion.Storage.Catalog;

namespace Ingestion.RunApi;

/// <summary>
/// One file of a run as the dashboard's timeline shows it. The file URL is left out: a server may sign it with a
/// query-string token, and the operator needs the type, times and attempts, not the address.
/// </summary>
public sealed record RunFileSummary(
    int Index,
    string Kind,
    string ResourceType,
    string Status,
    int Attempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    long? ExpectedCount,
    long ResourcesRead,
    long ResourcesMapped,
    long ResourcesQuarantined,
    long ResourcesUnmapped,
    string? FailureReason)
{
    public static RunFileSummary From(RunFileRecord file) => new(
        file.Index, file.Kind, file.ResourceType, file.Status.ToString(), file.Attempts, file.StartedAt, file.CompletedAt, file.ExpectedCount,
        file.ResourcesRead, file.ResourcesMapped, file.ResourcesQuarantined, file.ResourcesUnmapped, file.FailureReason);
}
