using System.Collections.Concurrent;
using System.Text;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>
/// A stand-in file activity for engine tests: stages one "lines" part per file holding the file's lines, under
/// the deterministic part name, and can fail a file a scripted number of times.
/// </summary>
internal sealed class LineCountingActivity(ILake lake) : IFileActivity
{
    /// <summary>Resource type → failures still to throw.</summary>
    public ConcurrentDictionary<string, int> FailuresToThrow { get; } = new(StringComparer.Ordinal);
    public int Runs;

    public async Task<FileResult> RunAsync(FileActivityContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Runs);
        var activity = context.Activity;
        if (FailuresToThrow.TryGetValue(activity.ResourceType, out var left) && left > 0)
        {
            FailuresToThrow[activity.ResourceType] = left - 1;
            throw new IOException("simulated download failure (503)");
        }
        var lines = new List<string>();
        await foreach (var line in context.Source.ReadFileAsync(new(activity.ResourceType, activity.Url), false, cancellationToken))
        {
            lines.Add(Encoding.UTF8.GetString(line.Utf8.Span));
            if (lines.Count == 2) await context.Faults.AtAsync(FaultPoints.MidActivity, activity.InstanceId, cancellationToken);
        }
        var path = LakePaths.Part("lines", activity.InstanceId, activity.Index, 0);
        await using (var upload = await lake.StartUploadAsync(path, LakeWriteCondition.None, cancellationToken))
        {
            var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines));
            await upload.Content.WriteAsync(bytes, cancellationToken);
            await upload.CommitAsync(cancellationToken);
        }
        var item = await lake.GetAsync(path, cancellationToken);
        return new FileResult
        {
            LinesRead = lines.Count,
            ResourcesValid = lines.Count,
            Parts = [new PartOutput("lines", path, lines.Count, item!.Length)],
            RowsByTable = new Dictionary<string, long> { ["lines"] = lines.Count },
        };
    }
}
