using Microsoft.DurableTask.Client;

namespace Ingestion.Orchestration;

/// <summary>
/// Terminate and purge of a run as one unit: the run's instance and its <see cref="FileBatchOrchestrator"/>
/// sub-orchestrations (<see cref="RunIds.ForBatch"/>, numbered from 0 without gaps because batches start one after
/// another; two may run at once, the next starting when the running one has scheduled its last unit). The Durable operations act on one instance only (DTFx has no recursive form): a terminated run would
/// otherwise leave its running batch scheduling files, and a purged run would leave its batches' history behind.
/// </summary>
public static class ExportRunInstances
{
    /// <summary>
    /// Terminates the run, waits until it has stopped (so it starts no further batch), then terminates every batch that
    /// is still running. Returns how many instances were terminated.
    /// </summary>
    public static async Task<int> TerminateRunAsync(this DurableTaskClient client, string runId, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await client.TerminateInstanceAsync(runId, new TerminateInstanceOptions { Output = reason }, cancellationToken).ConfigureAwait(false);
        await client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
        var terminated = 1;
        for (var batch = 0; await client.GetInstanceAsync(RunIds.ForBatch(runId, batch), getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is { } instance; batch++)
        {
            if (instance.IsCompleted) continue;
            await client.TerminateInstanceAsync(instance.InstanceId, new TerminateInstanceOptions { Output = reason }, cancellationToken).ConfigureAwait(false);
            terminated++;
        }
        return terminated;
    }

    /// <summary>
    /// Purges the history of an ended run and of its batches (a batch still running is terminated first, as after a
    /// terminate that raced with a batch's start). Returns how many instances were purged.
    /// </summary>
    public static async Task<int> PurgeRunAsync(this DurableTaskClient client, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var purged = 0;
        for (var batch = 0; await client.GetInstanceAsync(RunIds.ForBatch(runId, batch), getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is { } instance; batch++)
        {
            if (!instance.IsCompleted)
            {
                await client.TerminateInstanceAsync(instance.InstanceId, new TerminateInstanceOptions { Output = "purged with its run" }, cancellationToken).ConfigureAwait(false);
                await client.WaitForInstanceCompletionAsync(instance.InstanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
            }
            purged += (await client.PurgeInstanceAsync(instance.InstanceId, cancellation: cancellationToken).ConfigureAwait(false)).PurgedInstanceCount;
        }
        // The run last: while its history exists a failed purge can be repeated and still finds the batches.
        purged += (await client.PurgeInstanceAsync(runId, cancellation: cancellationToken).ConfigureAwait(false)).PurgedInstanceCount;
        return purged;
    }
}
