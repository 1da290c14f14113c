using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Ingestion.Storage;

namespace Ingestion.Azure.Tests.Workers;

/// <summary>
/// A stand-in for the pipeline's activity worker (pending the real one from the orchestration branch): pulls
/// "convert this file" work items from the queue, reads the landing file from the lake, streams a converted
/// part back under If-None-Match: *, extends its lease between chunks, and completes the message only after
/// the commit. A committed part found already there means another worker published it and then died before
/// completing: the item is completed without a second publish.
/// </summary>
internal sealed class SyntheticFileWorker(string name, IWorkQueue queue, ILake lake, ConcurrentBag<(string Worker, string File, int DequeueCount)> published)
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    /// <summary>When set, the worker "dies" (stops dead, no completion, no cleanup) halfway through its n-th file.</summary>
    public int? CrashOnFileNumber { get; init; }

    /// <summary>The file it was working on when it died.</summary>
    public string? CrashedFile { get; private set; }

    private int _started;

    public string Name { get; } = name;

    public bool Crashed { get; private set; }

    public async Task RunAsync(Func<bool> finished, CancellationToken cancellationToken)
    {
        while (!finished() && !cancellationToken.IsCancellationRequested)
        {
            var leases = await queue.ReceiveAsync(1, Lease, cancellationToken);
            if (leases.Count == 0)
            {
                await Task.Delay(100, cancellationToken);
                continue;
            }
            var lease = leases[0];
            var file = JsonDocument.Parse(lease.Body).RootElement.GetProperty("file").GetString()!;
            if (!await ProcessAsync(lease, file, cancellationToken))
            {
                Crashed = true;
                return;
            }
        }
    }

    private async Task<bool> ProcessAsync(QueueLease lease, string file, CancellationToken cancellationToken)
    {
        var output = $"out/run=r1/{file}.part";
        var upload = await lake.StartUploadAsync(output, LakeWriteCondition.NotExists, cancellationToken);
        await using var source = await lake.OpenReadAsync($"landing/run=r1/{file}", cancellationToken);
        using var reader = new StreamReader(source, Encoding.UTF8);
        var lines = 0;
        var doomed = ++_started == CrashOnFileNumber;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            await upload.Content.WriteAsync(Encoding.UTF8.GetBytes(line.ToUpperInvariant() + "\n"), cancellationToken);
            if (++lines % 50 == 0)
            {
                if (doomed)
                {
                    // The process is gone: no commit, no completion, nothing released.
                    CrashedFile = file;
                    return false;
                }
                // A long activity keeps its lease.
                lease = await queue.ExtendAsync(lease, Lease, cancellationToken);
                await Task.Delay(20, cancellationToken);
            }
        }
        try
        {
            await upload.CommitAsync(cancellationToken);
            published.Add((Name, file, lease.DequeueCount));
        }
        catch (LakeConditionFailedException)
        {
            // Published by a worker that died before completing the message.
        }
        finally
        {
            await upload.DisposeAsync();
        }
        await queue.CompleteAsync(lease, cancellationToken);
        return true;
    }
}
