using Ingestion.Pipeline.State;
using Ingestion.Storage;
using Microsoft.Extensions.Logging;

namespace Ingestion.Pipeline;

/// <summary>
/// Runs the workers: each loops receive → extend the lease while working → handle → complete. The CLI, the
/// Functions custom handler and the tests all host the pipeline through this class. Stopping it (cancelling)
/// at any moment loses nothing: unfinished messages are re-delivered, or re-created from the state store on
/// the next start (<see cref="PipelineOptions.RecoverOnStart"/>).
/// </summary>
public sealed class OrchestrationHost(OrchestrationServices services)
{
    private readonly ILogger _log = services.LoggerFactory.CreateLogger<OrchestrationHost>();
    private readonly Orchestrator _orchestrator = new(services);
    private readonly ActivityWorker _activities = new(services);

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (services.Options.RecoverOnStart) await RecoverAsync(cancellationToken).ConfigureAwait(false);
        var workers = Enumerable.Range(0, Math.Max(1, services.Options.MaxParallelActivities))
            .Select(_ => Task.Run(() => WorkerLoopAsync(cancellationToken), CancellationToken.None))
            .ToList();
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Runs the workers until run <paramref name="instanceId"/> is terminal, reporting its status as it goes.</summary>
    public async Task<RunStatus> RunUntilTerminalAsync(string instanceId, IProgress<RunStatus>? progress, CancellationToken cancellationToken)
    {
        var client = new OrchestrationClient(services);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var host = RunAsync(stop.Token);
        try
        {
            while (true)
            {
                var status = await client.GetStatusAsync(instanceId, false, cancellationToken).ConfigureAwait(false)
                    ?? throw new RunNotFoundException(instanceId);
                progress?.Report(status);
                if (status.RuntimeStatus.IsTerminal()) return status;
                if (host.IsCompleted)
                {
                    await host.ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new InvalidOperationException("The orchestration host stopped before the run finished.");
                }
                await Task.WhenAny(host, Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken)).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await host.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>Re-enqueues every unfinished run (its orchestrator re-enqueues unfinished activities).</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var state = services.State;
        await foreach (var run in state.ListRunsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (run.Value.RuntimeStatus.IsTerminal()) continue;
            await services.WorkQueue.EnqueueAsync(WorkMessage.Orchestrate(run.Value.InstanceId, recover: true).Serialize(), null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Handles one work message delivered by someone else (the Azure Functions queue trigger, which owns the
    /// message's lease and deletes it when this returns). Throws so the trigger retries and, after its
    /// maxDequeueCount, moves the message to the poison queue. A malformed message is logged and dropped.
    /// </summary>
    public async Task HandleMessageAsync(string body, CancellationToken cancellationToken)
    {
        WorkMessage message;
        try
        {
            message = WorkMessage.Parse(body);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException)
        {
            _log.LogError("Dropping a malformed work message delivered by the queue trigger.");
            return;
        }
        if (message.Type == WorkMessageType.Orchestrate) await _orchestrator.HandleAsync(message, cancellationToken).ConfigureAwait(false);
        else await _activities.HandleAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private async Task WorkerLoopAsync(CancellationToken cancellationToken)
    {
        var options = services.Options;
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<QueueLease> leases;
            try
            {
                leases = await services.WorkQueue.ReceiveAsync(1, options.VisibilityTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _log.LogWarning("Receiving from queue {Queue} failed ({Error}); retrying.", services.WorkQueue.Name, ex.GetType().Name);
                leases = [];
            }
            if (leases.Count == 0)
            {
                await Task.Delay(options.IdlePollInterval, services.Time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            await ProcessAsync(leases[0], cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(QueueLease received, CancellationToken cancellationToken)
    {
        using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lease = received;
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = Task.Run(async () =>
        {
            var every = services.Options.VisibilityTimeout / 3;
            try
            {
                while (true)
                {
                    await Task.Delay(every, services.Time, renewing.Token).ConfigureAwait(false);
                    lease = await services.WorkQueue.ExtendAsync(lease, services.Options.VisibilityTimeout, renewing.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) { }
            catch (Exception ex)
            {
                // Lease lost (or the queue is unreachable): another worker may now own the message; stop working on it.
                _log.LogWarning("Lost the lease on message {MessageId} ({Error}); abandoning it.", received.MessageId, ex.GetType().Name);
                await work.CancelAsync().ConfigureAwait(false);
            }
        }, CancellationToken.None);

        var handled = false;
        try
        {
            WorkMessage message;
            try
            {
                message = WorkMessage.Parse(received.Body);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException)
            {
                _log.LogError("Dropping malformed work message {MessageId}.", received.MessageId);
                handled = true;
                return;
            }
            if (message.Type == WorkMessageType.Orchestrate) await _orchestrator.HandleAsync(message, work.Token).ConfigureAwait(false);
            else await _activities.HandleAsync(message, work.Token).ConfigureAwait(false);
            handled = true;
        }
        catch (OperationCanceledException) when (work.IsCancellationRequested)
        {
            // Host stopping or lease lost: leave the message; it is re-delivered.
        }
        catch (Exception ex)
        {
            _log.LogError("Work message {MessageId} failed ({Error}: {Message}); it will be re-delivered.", received.MessageId, ex.GetType().Name, ex.Message);
        }
        finally
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
            if (handled)
            {
                try
                {
                    await services.WorkQueue.CompleteAsync(lease, CancellationToken.None).ConfigureAwait(false);
                }
                catch (QueueLeaseLostException)
                {
                    // Re-delivered meanwhile: the duplicate is harmless (every step is idempotent).
                }
            }
        }
    }
}
