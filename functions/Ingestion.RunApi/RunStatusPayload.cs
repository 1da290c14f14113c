using System.Text.Json;
using Microsoft.DurableTask.Client;

namespace Ingestion.RunApi;

/// <summary>
/// A run's status as the API answers it: the Durable instance's state (custom status = phase, progress and counts;
/// output = the run's counts) and its management URLs. Ids, codes and counts only.
/// </summary>
public sealed record RunStatusPayload(
    string Id,
    string Name,
    string RuntimeStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    JsonElement? CustomStatus,
    JsonElement? Output,
    string? FailureType,
    ManagementPayload Management)
{
    public static RunStatusPayload From(OrchestrationMetadata instance, ManagementPayload management) => new(
        instance.InstanceId,
        instance.Name,
        instance.RuntimeStatus.ToString(),
        instance.CreatedAt,
        instance.LastUpdatedAt,
        Json(instance.SerializedCustomStatus),
        Json(instance.SerializedOutput),
        // The failure's type only: exception messages are not ours to vouch for.
        instance.FailureDetails?.ErrorType,
        management);

    private static JsonElement? Json(string? serialized)
    {
        if (string.IsNullOrEmpty(serialized)) return null;
        try
        {
            using var document = JsonDocument.Parse(serialized);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static bool IsTerminal(OrchestrationRuntimeStatus status) => status is OrchestrationRuntimeStatus.Completed
        or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;
}
