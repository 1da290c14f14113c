using System.Text.Json;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline;

public enum WorkMessageType { Orchestrate, File }

/// <summary>
/// A queue message: "orchestrate run X" (also the durable timer, when enqueued with a delay) or
/// "process file n of run X". <see cref="Recover"/> asks the orchestrator to re-enqueue every unfinished
/// activity (after a restart that lost an in-process queue). <see cref="Attempt"/> counts retries of a
/// failing orchestration step.
/// </summary>
public sealed record WorkMessage(WorkMessageType Type, string InstanceId, int? Index = null, bool Recover = false, int Attempt = 0)
{
    public static WorkMessage Orchestrate(string instanceId, bool recover = false) => new(WorkMessageType.Orchestrate, instanceId, null, recover);
    public static WorkMessage File(string instanceId, int index) => new(WorkMessageType.File, instanceId, index);

    public string Serialize() => JsonSerializer.Serialize(this, StateJson.Options);

    public static WorkMessage Parse(string body) =>
        JsonSerializer.Deserialize<WorkMessage>(body, StateJson.Options) ?? throw new InvalidDataException("Empty work message.");
}
